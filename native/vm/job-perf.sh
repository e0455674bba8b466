# Boot 3 (ONE vCPU by default, JAHCI_VM_PERF_CPUS; no IOMMU): the I/O comparison that holds still. The
# same read jobs through jahci over UIO (interrupt and poll completions) and through the kernel's ahci
# driver (fio, O_DIRECT, libaio), PERF_REPS alternating repetitions (jahci, kernel | kernel, jahci | ...).
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

perf_kernel() { # perf_kernel REP
    local rep=$1 job rw bs qd log disk a b ia out ios runtime hz
    hz=$(getconf CLK_TCK)
    disk=$(disk_with_size 131072) || { echo "kernel: no 64 MiB disk on $BDF" >> "$W/logs/perf-kernel.txt"; return 1; }
    for job in $PERF_JOBS; do
        IFS=: read -r rw bs qd <<< "$job"
        log="perf-kernel-$rw-$bs-qd$qd-rep$rep"
        fio --name=kernel --filename="/dev/$disk" --direct=1 --ioengine=libaio --rw="$rw" --bs="$bs" --iodepth="$qd" \
            --runtime="${PERF_SECONDS}s" --ramp_time="${PERF_WARMUP}s" --time_based --output-format=json \
            > "$W/logs/$log.txt" 2>&1 &
        # /proc/stat inside fio's measured window (which starts after its ramp): from 1 s after the ramp to
        # 1 s before the end
        sleep $(( PERF_WARMUP + 1 )); a=$(stat_sample); ia=$(irq_sample)
        sleep $(( PERF_SECONDS - 2 )); b=$(stat_sample); irq_delta "kernel $rw-$bs-qd$qd $rep" "$ia" "$(irq_sample)"
        wait $! || return 1
        out=$(tr -d '\n' < "$W/logs/$log.txt")
        ios=$(echo "$out" | grep -o '"read" *: *{[^}]*"total_ios" *: *[0-9]*' | grep -o '[0-9]*$')
        runtime=$(echo "$out" | grep -o '"read" *: *{[^}]*"runtime" *: *[0-9]*' | grep -o '[0-9]*$')
        echo "kernel $rw-$bs-qd$qd $rep $a $b $hz $(json_number "$out" iops) $ios $runtime $(json_number "$out" ctx)" \
            "$(json_number "$out" usr_cpu) $(json_number "$out" sys_cpu)" | awk '{
            # fields: 4-10 sample a, 11-17 sample b (uptime ctxt intr user sys irq idle), 18 ticks/s, 19 IOPS, 20 I/Os,
            # 21 runtime ms, 22 ctx, 23 usr %, 24 sys %; per I/O over the sampled window: the fio rate times its length
            n = $19 * ($11 - $4); t = 1e9 / $18
            printf "kernel %s %s iops=%s ctx=%.3f intr=%.3f user=%.0f sys=%.0f irq=%.0f busy=%.0f idle=%.0f fioctx=%.3f fiousr=%.0f fiosys=%.0f\n",
                $2, $3, $19, ($12 - $5) / n, ($13 - $6) / n, ($14 - $7) * t / n, ($15 - $8) * t / n, ($16 - $9) * t / n,
                (($14 - $7) + ($15 - $8) + ($16 - $9)) * t / n, ($17 - $10) * t / n, $22 / $20, $23 / 100 * $21 * 1e6 / $20,
                $24 / 100 * $21 * 1e6 / $20
        }' >> "$W/perf.txt"
    done
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
got=$(grep -c ' iops=[0-9]' "$W/perf.txt")
if [ -n "$ok" ] && [ "$got" -eq "$want" ]; then
    pass "perf ($(nproc) vCPU): jahci over UIO in modes $PERF_MODES and the kernel's ahci ran the same $(echo $PERF_JOBS | wc -w) jobs $PERF_REPS times each, alternating ($(( $(date +%s) - perf_t0 )) s; table above the results)"
else
    fail "perf ($(nproc) vCPU): jahci and the kernel's ahci ran the same jobs" "$got of $want results; $(tail -3 "$W/logs/rebind.txt" 2>/dev/null | tr '\n' '|') see logs/perf-*.txt"
fi
check_jvm_crashes perf
echo "job-perf: end $(date +%s)"
