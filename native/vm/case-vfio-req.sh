# Sourced by job-iommu.sh once the controller is back on the kernel's ahci (after case 8b).
# 10. VFIO device request: while jahci holds the controller over VFIO, the kernel asks for it back,
#    (a) through `jahci unbind` from another shell, (b) by removing the device through sysfs (then a
#    rescan). jahci flushes, releases the device and exits 1 within seconds with its "released"
#    message, so the kernel's unbind or remove returns; the kernel's ahci then reads back the pattern
#    jahci wrote over VFIO before. check_dmesg (after this file) looks for DMAR faults.
head -c $((1024 * 1024)) /dev/urandom > "$W/pattern-req.bin"   # LBA 8192, 2048 sectors

# req_case NAME HOW JAHCI-ARGS...: binds to vfio-pci, starts jahci with JAHCI-ARGS, and once it holds
# /dev/vfio/N asks for the device back with HOW (unbind | remove).
req_case() {
    local name=$1 how=$2; shift 2
    local log="$W/logs/req-$name.txt" group pid rc t0 elapsed asked
    if ! to_vfio; then   # through sysfs: the walk-through runs jahci bind
        fail "device request ($name)" "rebinding to vfio-pci failed: $(tail -3 "$W/logs/rebind.txt" | tr '\n' '|')"; return
    fi
    group=$(basename "$(readlink /sys/bus/pci/devices/$BDF/iommu_group)")
    if [ ! -f "$W/logs/req-write.txt" ]; then
        run req-write jahci --device "vfio:$BDF" write --port 0 --lba 8192 --count 2048 --in "$W/pattern-req.bin" \
            --allow-write || { fail "device request ($name)" "writing the pattern failed"; return; }
    fi
    echo "\$ jahci --device vfio:$BDF $*  ($how once it holds /dev/vfio/$group)" >> "$log"
    "$JAVA" $JAVA_OPTS -jar "$JAR" --device "vfio:$BDF" "$@" >> "$log" 2>&1 &
    pid=$!
    for i in $(seq 1 600); do
        ls -l /proc/$pid/fd 2>/dev/null | grep -q "/dev/vfio/$group" && break
        sleep 0.1
    done
    sleep 3   # let it get going: I/O in flight when the kernel asks
    t0=$(date +%s)
    case $how in
        unbind) timeout 120 "$JAVA" $JAVA_OPTS -jar "$JAR" unbind "$BDF" >> "$W/logs/req-unbind-cmd.txt" 2>&1; asked=$? ;;
        remove) timeout 120 sh -c "echo 1 > /sys/bus/pci/devices/$BDF/remove"; asked=$? ;;
    esac
    for i in $(seq 1 300); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
    elapsed=$(( $(date +%s) - t0 ))
    if kill -0 $pid 2>/dev/null; then
        kill -9 $pid; fail "device request ($name)" "jahci still holds the device $elapsed s after the $how"; return
    fi
    wait $pid; rc=$?
    echo "[exit $rc, $elapsed s after the $how, which returned $asked]" >> "$log"
    if [ $rc -ne 3 ] || [ $asked -ne 0 ] || ! grep -q "^jahci: released: vfio $BDF .*the kernel asked for the controller back" "$log"; then
        fail "device request ($name)" "exit $rc, $how returned $asked: $(grep '^jahci' "$log" | tr '\n' '|')"; return
    fi
    if [ "$how" = remove ]; then
        echo 1 > /sys/bus/pci/rescan
    fi
    DATA=$(disk_with_size 131072)
    if [ "$(driver_of $BDF)" = ahci ] && [ -n "$DATA" ] && compare_dd "req-$name" "$DATA" 8192 2048 "$W/pattern-req.bin"; then
        pass "device request ($how while jahci runs $1 $2 $6): released in $elapsed s with exit 3 (a device error) and its message; ahci reads jahci's pattern back"
    else
        fail "device request ($name)" "after the release: driver '$(driver_of $BDF)', disk '$DATA', or the pattern differs (logs/dd.txt)"
    fi
}
# Commands that would hold the controller for ten minutes: the kernel's request must end them. The
# writes stay in the first MiB, clear of the patterns (LBA 2048 and 8192); they are flushed on release.
req_case unbind unbind bench io --port 0 --rw randwrite --bs 4k --qd 32 --size 1m --seconds 600 --allow-write
req_case remove remove bench io --port 0 --rw randread --bs 4k --qd 32 --seconds 600
