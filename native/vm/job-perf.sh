# Boot 3 (ONE vCPU by default, JAHCI_VM_PERF_CPUS; no IOMMU): the I/O comparison that holds still. The
# same read jobs through jahci over UIO (interrupt and poll completions) and through the kernel's ahci
# driver (fio, O_DIRECT, libaio), PERF_REPS alternating repetitions (jahci, kernel | kernel, jahci | ...);
# then `jahci serve` against qemu-nbd through the kernel's nbd driver (below).
# One vCPU: no time slices between vCPUs, no cross-vCPU wake-ups, every thread switch and every us of
# CPU the driver costs shows in the I/O rate. Each job runs PERF_WARMUP first and then 1 s rounds until two
# in a row in which the JIT's compiler threads were idle (bench io --warmup-jit-idle), so that the
# window measures compiled code (bench io reports the JIT's compilation time inside the window). Per job and
# repetition one line in $W/perf.txt (perf-table.awk prints the table):
#   WHO JOB REP iops=N ctx=N intr=N user=NS sys=NS irq=NS busy=NS idle=NS [jahci: jit=MS portsw=N subsw=N alloc=B]
#   [kernel: fioctx=N fiousr=NS fiosys=NS]
# ctx, intr and the CPU times (idle: of all vCPUs, waiting included) are the whole guest's per I/O over
# the window, from /proc/stat (jahci: bench io reads it at its window's edges; fio: sampled here inside
# fio's measured window). $W/logs/perf-interrupts.txt has /proc/interrupts' local timer (LOC) and IPI
# (RES, CAL, TLB) counts and the seconds over fio's same window and over each whole jahci JVM.
. /tmp/work/job-lib.sh
echo "job-perf: start $(date +%s)"
PERF_JOBS="randread:4k:1 randread:4k:32"
PERF_MODES="interrupt poll"
modprobe sd_mod; modprobe ahci
disk_with_size 131072 >/dev/null || { fail "perf setup" "the kernel's ahci did not show the 64 MiB disk on $BDF"; exit 1; }
: > "$W/perf.txt"
echo "vcpus $(nproc)" >> "$W/perf.txt"

# json_number JSON KEY: the first number after "KEY": in JSON (one line).
json_number() { echo "$1" | grep -o "\"$2\" *: *[-0-9.E]*" | head -1 | sed 's/.*: *//'; }

perf_jahci() { # perf_jahci REP
    local rep=$1 order log line system cpu switches rw bs qd a
    if [ $((rep % 2)) -eq 1 ]; then order="interrupt,poll"; else order="poll,interrupt"; fi
    log="perf-jahci-rep$rep"
    a=$(irq_sample)
    run "$log" "$JAVA" $BENCH_JAVA_OPTS -jar "$JAR" --device "uio:$BDF" bench io --port 0 \
        --jobs "$(echo $PERF_JOBS | tr ' ' ,)" --completions "$order" --seconds "$PERF_SECONDS" --warmup "$PERF_WARMUP" --warmup-jit-idle --json \
        || return 1
    irq_delta "jahci-jvm all $rep" "$a" "$(irq_sample)"
    # one document; its "runs" one per line
    grep '"completion"' "$W/logs/$log.txt" | sed 's/},{"completion"/}\n{"completion"/g' | while read -r line; do
        rw=$(echo "$line" | grep -o '"rw":"[a-z]*"' | cut -d'"' -f4)
        bs=$(( $(json_number "$line" bs) / 1024 ))
        qd=$(json_number "$line" qd)
        system=$(echo "$line" | grep -o '"system":{[^}]*}[^}]*}')
        cpu=$(echo "$system" | grep -o '"cpuNanos":{[^}]*}')
        switches=$(echo "$line" | grep -o '"switchesVoluntary":{[^}]*}')
        echo "jahci-$(echo "$line" | grep -o '"completion":"[a-z]*"' | cut -d'"' -f4) $rw-${bs}k-qd$qd $rep" \
            "iops=$(json_number "$line" iops) ctx=$(json_number "$system" contextSwitches)" \
            "intr=$(json_number "$system" interrupts) user=$(json_number "$cpu" user) sys=$(json_number "$cpu" system)" \
            "irq=$(json_number "$cpu" interrupt) busy=$(json_number "$cpu" busy) idle=$(json_number "$cpu" idle)" \
            "jit=$(json_number "$line" jitCompilationMillis)" \
            "portsw=$(json_number "$switches" port) subsw=$(json_number "$switches" submitter)" \
            "alloc=$(echo "$line" | grep -o '"allocatedBytes":{[^}]*}' | grep -o '[0-9.]*' | awk '{ s += $1 } END { print s }')" \
            >> "$W/perf.txt"
    done
}

# stat_sample: "UPTIME_SECONDS CTXT INTR USER SYS IRQ IDLE" from /proc/uptime and /proc/stat (ticks).
stat_sample() {
    echo "$(cut -d' ' -f1 /proc/uptime) $(awk '$1 == "ctxt" { c = $2 } $1 == "intr" { i = $2 }
        $1 == "cpu" { u = $2 + $3; s = $4; q = $7 + $8; d = $5 + $6 } END { print c, i, u, s, q, d }' /proc/stat)"
}

# irq_sample: "UPTIME_SECONDS LOC RES CAL TLB" (all CPUs) from /proc/uptime and /proc/interrupts.
irq_sample() {
    echo "$(cut -d' ' -f1 /proc/uptime) $(awk -v cpus="$(nproc)" '$1 ~ /^(LOC|RES|CAL|TLB):$/ {
        for (i = 2; i <= cpus + 1; i++) n[$1] += $i } END { print n["LOC:"] + 0, n["RES:"] + 0, n["CAL:"] + 0, n["TLB:"] + 0 }' /proc/interrupts)"
}
# irq_delta LABEL A B: one line of perf-interrupts.txt, B - A of two irq_samples.
irq_delta() {
    echo "$1 $2 $3" | awk '{ printf "%s %s %s seconds=%.1f loc=%d res=%d cal=%d tlb=%d\n", $1, $2, $3, $9 - $4,
        $10 - $5, $11 - $6, $12 - $7, $13 - $8 }' >> "$W/logs/perf-interrupts.txt"
}

# perf_fio WHO DEVICE REP JOB...: fio (O_DIRECT, libaio) runs each [nbd:]RW:BS:QD job through DEVICE for
# FIO_SECONDS after a FIO_RAMP ramp; one line per job in perf.txt, with the whole guest's /proc/stat per I/O sampled inside
# fio's measured window (from 1 s after the ramp to 1 s before the end) and fio's own ctx and CPU.
perf_fio() {
    local who=$1 dev=$2 rep=$3 job prefix rw bs qd log a b ia out ios runtime hz
    shift 3
    hz=$(getconf CLK_TCK)
    for job in "$@"; do
        prefix=
        case "$job" in nbd:*) prefix=nbd:; job=${job#nbd:} ;; esac
        IFS=: read -r rw bs qd <<< "$job"
        log="perf-$who-$rw-$bs-qd$qd-rep$rep"
        fio --name="$who" --filename="$dev" --direct=1 --ioengine=libaio --rw="$rw" --bs="$bs" --iodepth="$qd" \
            --runtime="${FIO_SECONDS}s" --ramp_time="${FIO_RAMP}s" --time_based --output-format=json \
            > "$W/logs/$log.txt" 2>&1 &
        sleep $(( FIO_RAMP + 1 )); a=$(stat_sample); ia=$(irq_sample)
        sleep $(( FIO_SECONDS - 2 )); b=$(stat_sample); irq_delta "$who $prefix$rw-$bs-qd$qd $rep" "$ia" "$(irq_sample)"
        wait $! || return 1
        out=$(tr -d '\n' < "$W/logs/$log.txt")
        ios=$(echo "$out" | grep -o '"read" *: *{[^}]*"total_ios" *: *[0-9]*' | grep -o '[0-9]*$')
        runtime=$(echo "$out" | grep -o '"read" *: *{[^}]*"runtime" *: *[0-9]*' | grep -o '[0-9]*$')
        echo "$who $prefix$rw-$bs-qd$qd $rep $a $b $hz $(json_number "$out" iops) $ios $runtime $(json_number "$out" ctx)" \
            "$(json_number "$out" usr_cpu) $(json_number "$out" sys_cpu)" | awk '{
            # fields: 4-10 sample a, 11-17 sample b (uptime ctxt intr user sys irq idle), 18 ticks/s, 19 IOPS, 20 I/Os,
            # 21 runtime ms, 22 ctx, 23 usr %, 24 sys %; per I/O over the sampled window: the fio rate times its length
            n = $19 * ($11 - $4); t = 1e9 / $18
            printf "%s %s %s iops=%s ctx=%.3f intr=%.3f user=%.0f sys=%.0f irq=%.0f busy=%.0f idle=%.0f fioctx=%.3f fiousr=%.0f fiosys=%.0f\n",
                $1, $2, $3, $19, ($12 - $5) / n, ($13 - $6) / n, ($14 - $7) * t / n, ($15 - $8) * t / n, ($16 - $9) * t / n,
                (($14 - $7) + ($15 - $8) + ($16 - $9)) * t / n, ($17 - $10) * t / n, $22 / $20, $23 / 100 * $21 * 1e6 / $20,
                $24 / 100 * $21 * 1e6 / $20
        }' >> "$W/perf.txt"
    done
}

FIO_SECONDS=$PERF_SECONDS
FIO_RAMP=$PERF_WARMUP

perf_kernel() { # perf_kernel REP
    local disk
    disk=$(disk_with_size 131072) || { echo "kernel: no 64 MiB disk on $BDF" >> "$W/logs/perf-kernel.txt"; return 1; }
    perf_fio kernel "/dev/$disk" "$1" $PERF_JOBS
}

# The NBD comparison: the same read jobs through /dev/nbd0, served (a) by `jahci serve` over UIO
# (interrupt completions, full JIT) and (b) by qemu-nbd (--cache=none --aio=native) over the kernel's
# ahci, both read-only, NBD_REPS alternating repetitions; rows "nbd-jahci" and "nbd-qemu" with the job
# prefixed "nbd:". Each server is first warmed up, unmeasured: qemu-nbd with NBD_WARMUP seconds of 4k
# random reads at QD32; jahci with rounds of the three jobs (2 s each) until two rounds in a row in
# which the JIT's compiler threads used less than 5 ms of CPU per second (read from /proc, jit_sample),
# at most NBD_WARMUP_ROUNDS, as bench io's --warmup-jit-idle does; the server runs without --stats.
# jahci's rows add jit=MS, the compiler threads' CPU during the measured jobs. NBD_REPS (JAHCI_VM_PERF_NBD) is 0 unless asked
# for: with 3 repetitions it takes about 15 minutes under TCG, more than a CI run can give.
NBD_JOBS="randread:4k:1 randread:4k:32 read:128k:1"
NBD_WARMUP=12
NBD_WARMUP_ROUNDS=20
NBD_SOCK=/tmp/perf-nbd.sock

nbd_jobs() { for j in $NBD_JOBS; do echo "nbd:$j"; done; }

# jit_sample PID: "TID TICKS" per JIT compiler thread of the JVM PID (C1/C2 CompilerThread: utime + stime from
# /proc/PID/task/TID/stat). Read from outside, so that measuring the JIT runs no code in the server: serve's
# --stats=1s, read every second, kept its own (rarely called, slowly compiled) code in the JIT's queue.
jit_sample() {
    local t c
    for t in /proc/"$1"/task/*; do
        c=$(cat "$t/comm" 2>/dev/null) || continue
        case "$c" in "C1 CompilerThre"*|"C2 CompilerThre"*)
            awk -v tid="${t##*/}" '{ sub(/^.*\) /, ""); print tid, $12 + $13 }' "$t/stat" 2>/dev/null ;;
        esac
    done
}
# jit_ms "A" "B": the compiler threads' CPU (ms) between two jit_samples (a thread new in B counts whole).
jit_ms() {
    printf '%s\n--\n%s\n' "$1" "$2" | awk -v hz="$(getconf CLK_TCK)" '$1 == "--" { b = 1; next }
        !b { a[$1] = $2; next } { s += $2 - a[$1] } END { printf "%.0f", s * 1000 / hz }'
}

nbd_warmup_jahci() { # nbd_warmup_jahci PID REP: rounds until the JIT is idle; the rounds taken on stdout
    local pid=$1 rep=$2 round quiet=0 a job rw bs qd
    for round in $(seq 1 "$NBD_WARMUP_ROUNDS"); do
        a=$(jit_sample "$pid")
        for job in $NBD_JOBS; do
            IFS=: read -r rw bs qd <<< "$job"
            fio --name=warmup --filename=/dev/nbd0 --direct=1 --ioengine=libaio --rw="$rw" --bs="$bs" --iodepth="$qd" \
                --runtime=2s --time_based >> "$W/logs/perf-nbd-jahci-warmup-rep$rep.txt" 2>&1 || return 1
        done
        if [ "$(jit_ms "$a" "$(jit_sample "$pid")")" -lt 30 ]; then quiet=$((quiet + 1)); else quiet=0; fi
        [ $quiet -ge 2 ] && { echo "$round"; return 0; }
    done
    echo "$NBD_WARMUP_ROUNDS (JIT still busy)"
}

perf_nbd_jahci() { # perf_nbd_jahci REP
    local rep=$1 log="$W/logs/perf-nbd-jahci-serve-rep$1.txt" pid rc=0 a rounds
    rm -f "$NBD_SOCK"
    "$JAVA" $BENCH_JAVA_OPTS -jar "$JAR" --device "uio:$BDF" --completion interrupt serve --port 0 --unix "$NBD_SOCK" \
        > "$log" 2>&1 &
    pid=$!
    if wait_for "$log" "^serving port 0 " 180 && run perf-nbd-attach nbd-client -u "$NBD_SOCK" /dev/nbd0 -N port0; then
        rounds=$(nbd_warmup_jahci "$pid" "$rep") || rc=1
        echo "jahci serve rep $rep: warm-up rounds $rounds" >> "$W/logs/perf-nbd-jahci-warmup-rep$rep.txt"
        a=$(jit_sample "$pid")
        perf_fio nbd-jahci /dev/nbd0 "$rep" $(nbd_jobs) || rc=1
        sed -i "/^nbd-jahci nbd:[^ ]* $rep iops=/s/\$/ jit=$(jit_ms "$a" "$(jit_sample "$pid")")/" "$W/perf.txt"
        run perf-nbd-attach nbd-client -d /dev/nbd0
    else
        rc=1
    fi
    kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null
    return $rc
}

perf_nbd_qemu() { # perf_nbd_qemu REP
    local rep=$1 disk pid rc=0
    disk=$(disk_with_size 131072) || { echo "qemu-nbd: no 64 MiB disk on $BDF" >> "$W/logs/perf-nbd-qemu.txt"; return 1; }
    rm -f "$NBD_SOCK"
    qemu-nbd -k "$NBD_SOCK" -r -f raw --cache=none --aio=native "/dev/$disk" >> "$W/logs/perf-nbd-qemu.txt" 2>&1 &
    pid=$!
    if wait_for /proc/net/unix "$NBD_SOCK" 30 && run perf-nbd-attach nbd-client -u "$NBD_SOCK" /dev/nbd0 -N ''; then
        fio --name=warmup --filename=/dev/nbd0 --direct=1 --ioengine=libaio --rw=randread --bs=4k --iodepth=32 \
            --runtime="${NBD_WARMUP}s" --time_based > "$W/logs/perf-nbd-qemu-warmup-rep$rep.txt" 2>&1 || rc=1
        perf_fio nbd-qemu /dev/nbd0 "$rep" $(nbd_jobs) || rc=1
        run perf-nbd-attach nbd-client -d /dev/nbd0
    else
        rc=1
    fi
    kill $pid 2>/dev/null; wait $pid 2>/dev/null
    return $rc
}

perf_t0=$(date +%s)
ok=1
for rep in $(seq 1 "$PERF_REPS"); do
    if [ $((rep % 2)) -eq 1 ]; then
        to_uio && perf_jahci "$rep" && to_kernel && perf_kernel "$rep" || { ok=; break; }
    else
        to_kernel && perf_kernel "$rep" && to_uio && perf_jahci "$rep" || { ok=; break; }
    fi
done
want=$(( $(echo $PERF_JOBS | wc -w) * ($(echo $PERF_MODES | wc -w) + 1) * PERF_REPS ))
got=$(grep -v ' nbd:' "$W/perf.txt" | grep -c ' iops=[0-9]')
if [ -n "$ok" ] && [ "$got" -eq "$want" ]; then
    pass "perf ($(nproc) vCPU): jahci over UIO in modes $PERF_MODES and the kernel's ahci ran the same $(echo $PERF_JOBS | wc -w) jobs $PERF_REPS times each, alternating ($(( $(date +%s) - perf_t0 )) s; table above the results)"
else
    fail "perf ($(nproc) vCPU): jahci and the kernel's ahci ran the same jobs" "$got of $want results; $(tail -3 "$W/logs/rebind.txt" 2>/dev/null | tr '\n' '|') see logs/perf-*.txt"
fi
if [ "${NBD_REPS:-0}" -gt 0 ]; then
    nbd_t0=$(date +%s)
    ok=1
    modprobe nbd || ok=
    for rep in $(seq 1 "$NBD_REPS"); do
        [ -n "$ok" ] || break
        if [ $((rep % 2)) -eq 1 ]; then
            to_uio && perf_nbd_jahci "$rep" && to_kernel && perf_nbd_qemu "$rep" || ok=
        else
            to_kernel && perf_nbd_qemu "$rep" && to_uio && perf_nbd_jahci "$rep" || ok=
        fi
    done
    want=$(( $(echo $NBD_JOBS | wc -w) * 2 * NBD_REPS ))
    got=$(grep -c ' nbd:[^ ]* [0-9]* iops=[0-9]' "$W/perf.txt")
    if [ -n "$ok" ] && [ "$got" -eq "$want" ]; then
        pass "perf ($(nproc) vCPU): jahci serve over UIO and qemu-nbd over the kernel's ahci served the same $(echo $NBD_JOBS | wc -w) jobs to the kernel's nbd driver $NBD_REPS times each, alternating ($(( $(date +%s) - nbd_t0 )) s)"
    else
        fail "perf ($(nproc) vCPU): jahci serve and qemu-nbd served the same jobs" "$got of $want results; see logs/perf-nbd-*.txt"
    fi
fi
check_jvm_crashes perf
echo "job-perf: end $(date +%s)"
