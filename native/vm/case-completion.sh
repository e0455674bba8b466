# 8. The I/O comparison: the same read jobs through jahci over VFIO in every completion mode and
#    through the kernel's ahci driver (fio, O_DIRECT, libaio), alternating jahci and the kernel for
#    3 repetitions (jahci, kernel | kernel, jahci | jahci, kernel); guest-test prints the medians and
#    the ratios to the kernel (bench-table.awk). jahci runs as a user runs it, with full JIT (not the
#    C1-only start-up flags of the other cases) and warmed up (bench io --warmup). Reads only: the
#    VFIO pattern of case 4 stays for case 7. Starts and ends with the controller on vfio-pci.
# Sourced by job-iommu.sh; lines in $W/bench.txt: WHO RW BS QD REP IOPS (WHO: kernel, jahci-MODE).
BENCH_JOBS="randread:4k:1 randread:4k:32 read:128k:1"
BENCH_MODES="interrupt hybrid poll"
BENCH_SECONDS=2
BENCH_WARMUP=1
BENCH_JAVA_OPTS="-XX:-UsePerfData -Xshare:auto"
[ -f "$W/jahci.jsa" ] && BENCH_JAVA_OPTS="$BENCH_JAVA_OPTS -XX:SharedArchiveFile=$W/jahci.jsa"
: > "$W/bench.txt"

bench_jahci() { # bench_jahci REP: every job in every mode (the mode order rotates with REP)
    local rep=$1 job rw bs qd mode log iops modes
    modes=$(echo $BENCH_MODES $BENCH_MODES | cut -d' ' -f$(( (rep - 1) % 3 + 1 ))-$(( (rep - 1) % 3 + 3 )))
    for job in $BENCH_JOBS; do
        IFS=: read -r rw bs qd <<< "$job"
        for mode in $modes; do
            log="bench-jahci-$mode-$rw-$bs-qd$qd"
            if run "$log" "$JAVA" $BENCH_JAVA_OPTS -jar "$JAR" --device "vfio:$BDF" --completion "$mode" \
                    bench io --port 0 --rw "$rw" --bs "$bs" --qd "$qd" --seconds "$BENCH_SECONDS" \
                    --warmup "$BENCH_WARMUP" --json; then
                iops=$(grep -o '"iops":[0-9.E]*' "$W/logs/$log.txt" | tail -1 | cut -d: -f2)
                echo "jahci-$mode $rw $bs $qd $rep ${iops:-?}" >> "$W/bench.txt"
            fi
        done
    done
}

bench_kernel() { # bench_kernel REP: every job through the kernel's ahci (the controller is on ahci)
    local rep=$1 job rw bs qd log iops disk
    disk=$(disk_with_size 131072) || { echo "kernel: no 64 MiB disk on $BDF" >> "$W/logs/bench-kernel.txt"; return; }
    for job in $BENCH_JOBS; do
        IFS=: read -r rw bs qd <<< "$job"
        log="bench-kernel-$rw-$bs-qd$qd"
        if run "$log" fio --name=kernel --filename="/dev/$disk" --direct=1 --ioengine=libaio --rw="$rw" --bs="$bs" \
                --iodepth="$qd" --runtime="$BENCH_SECONDS" --ramp_time="$BENCH_WARMUP" --time_based --output-format=json; then
            iops=$(grep -o '"iops" : [0-9.]*' "$W/logs/$log.txt" | head -1 | awk '{print $3}')
            echo "kernel $rw $bs $qd $rep ${iops:-?}" >> "$W/bench.txt"
        fi
    done
}

to_kernel() { run bench-rebind jahci unbind "$BDF" && [ "$(driver_of $BDF)" = ahci ]; }
to_vfio() { run bench-rebind jahci bind --vfio "$BDF" && [ "$(driver_of $BDF)" = vfio-pci ]; }

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
    fail "bench: rebinding between vfio-pci and ahci" "$(tail -5 "$W/logs/bench-rebind.txt" | tr '\n' '|')"
    [ "$(driver_of $BDF)" = vfio-pci ] || to_vfio
fi
