# 8. The I/O comparison: the same read jobs through jahci over VFIO in every completion mode (one JVM
#    per repetition: bench io --jobs --completions) and through the kernel's ahci driver (fio,
#    O_DIRECT, libaio), alternating jahci and the kernel for 3 repetitions (jahci, kernel | kernel,
#    jahci | jahci, kernel); guest-test prints the medians and
#    the ratios to the kernel (bench-table.awk). jahci runs as a user runs it, with full JIT (not the
#    C1-only start-up flags of the other cases) and warmed up: each JVM first runs every job once in
#    the mode it measures last, unrecorded (the JIT compiles the I/O path: in the first mode of a cold
#    JVM IOPS were 3-10x lower under TCG), and each job runs --warmup first. Reads only: the
#    VFIO pattern of case 4 stays for case 7. Starts and ends with the controller on vfio-pci.
# Sourced by job-iommu.sh; lines in $W/bench.txt: WHO RW BS QD REP IOPS (WHO: kernel, jahci-MODE).
BENCH_MODES="interrupt hybrid poll"
MODE_SECONDS=1.5     # measured per job and mode here (fio: the same in ms)
MODE_WARMUP=0.5
: > "$W/bench.txt"

bench_jahci() { # bench_jahci REP: one JVM runs every job in every mode (the mode order rotates with REP)
    local rep=$1 modes log line
    modes=$(echo $BENCH_MODES $BENCH_MODES | cut -d' ' -f$(( (rep - 1) % 3 + 1 ))-$(( (rep - 1) % 3 + 3 )) | tr ' ' ,)
    log="bench-jahci-rep$rep"
    run "$log" "$JAVA" $BENCH_JAVA_OPTS -jar "$JAR" --device "vfio:$BDF" bench io --port 0 --jobs "$(echo $BENCH_JOBS | tr ' ' ,)" \
        --completions "${modes##*,},$modes" --seconds "$MODE_SECONDS" --warmup "$MODE_WARMUP" --json
    # the first mode's results are the JVM's warm-up pass
    # one JSON document per run of bench io: its "runs" elements one per line
    grep '"completion"' "$W/logs/$log.txt" | sed 's/},{"completion"/}\n{"completion"/g' \
        | tail -n +$(( $(echo $BENCH_JOBS | wc -w) + 1 )) | while read -r line; do
        echo "jahci-$(echo "$line" | grep -o '"completion":"[a-z]*"' | cut -d'"' -f4)" \
            "$(echo "$line" | grep -o '"rw":"[a-z]*"' | cut -d'"' -f4)" \
            "$(( $(echo "$line" | grep -o '"bs":[0-9]*' | cut -d: -f2) / 1024 ))k" \
            "$(echo "$line" | grep -o '"qd":[0-9]*' | cut -d: -f2)" "$rep" \
            "$(echo "$line" | grep -o '"iops":[0-9.E]*' | cut -d: -f2)" >> "$W/bench.txt"
    done
}

bench_kernel() { # bench_kernel REP: every job through the kernel's ahci (the controller is on ahci)
    local rep=$1 job rw bs qd log iops disk
    disk=$(disk_with_size 131072) || { echo "kernel: no 64 MiB disk on $BDF" >> "$W/logs/bench-kernel.txt"; return; }
    for job in $BENCH_JOBS; do
        IFS=: read -r rw bs qd <<< "$job"
        log="bench-kernel-$rw-$bs-qd$qd-rep$rep"
        if run "$log" fio --name=kernel --filename="/dev/$disk" --direct=1 --ioengine=libaio --rw="$rw" --bs="$bs" \
                --iodepth="$qd" --runtime=1500ms --ramp_time=500ms --time_based --output-format=json; then
            iops=$(grep -o '"iops" : [0-9.]*' "$W/logs/$log.txt" | head -1 | awk '{print $3}')
            echo "kernel $rw $bs $qd $rep ${iops:-?}" >> "$W/bench.txt"
        fi
    done
}

bench_t0=$(date +%s)
if ! command -v fio >/dev/null; then
    fail "bench: jahci in every completion mode and the kernel's ahci ran the same jobs" "fio not found: apt-get install fio"
elif bench_jahci 1 && to_kernel && bench_kernel 1 && bench_kernel 2 && to_vfio && bench_jahci 2 && bench_jahci 3 \
        && to_kernel && bench_kernel 3 && to_vfio; then
    want=$(( $(echo $BENCH_JOBS | wc -w) * ($(echo $BENCH_MODES | wc -w) + 1) * 3 ))
    if [ "$(grep -c ' [0-9][0-9.E]*$' "$W/bench.txt")" -eq "$want" ]; then
        pass "bench: jahci over VFIO in modes $BENCH_MODES and the kernel's ahci ran the same 3 jobs 3 times each, alternating ($(( $(date +%s) - bench_t0 )) s; table above the results)"
    else
        fail "bench: jahci in every completion mode and the kernel's ahci ran the same jobs" "$(tr '\n' '|' < "$W/bench.txt")"
    fi
else
    fail "bench: rebinding between vfio-pci and ahci" "$(tail -5 "$W/logs/rebind.txt" | tr '\n' '|')"
    [ "$(driver_of $BDF)" = vfio-pci ] || to_vfio
fi
