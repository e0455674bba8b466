# Sourced by job-iommu.sh. `jahci serve` over VFIO used by the kernel's nbd driver (the comparison
# with qemu-nbd runs in the one-vCPU boot, job-perf.sh).
NBD_SOCK=/tmp/jahci-nbd.sock

# 9. While the controller is on vfio-pci: jahci serves port 1 (the file system disk) and port 0; the
#    kernel's nbd driver attaches them; ext4 on nbd0 (mkfs, mount, write, umount, e2fsck -fn); fio
#    with crc32c verification at iodepth 32 on nbd1 (32..40 MiB of port 0: the patterns stay);
#    SIGTERM ends the server with exit 0. The server runs C1-only (JAVA_OPTS): start-up dominates.
nbd_over_vfio() {
    local log="$W/logs/nbd-serve.txt" pid ok=1 why=
    modprobe nbd || { fail "nbd: jahci serve over VFIO" "modprobe nbd failed"; return; }
    rm -f "$NBD_SOCK"
    "$JAVA" $JAVA_OPTS -jar "$JAR" --device "vfio:$BDF" serve --port 1 --port 0 --unix "$NBD_SOCK" --allow-write \
        > "$log" 2>&1 &
    pid=$!
    if ! wait_for "$log" "^serving port 1 (16 MiB, read-write) at nbd+unix:///port1?socket=$NBD_SOCK, port 0 (64 MiB" 180; then
        fail "nbd: jahci serve over VFIO" "no ready line: $(tr '\n' '|' < "$log")"
        kill $pid 2>/dev/null; wait $pid 2>/dev/null; return
    fi
    run nbd-attach nbd-client -u "$NBD_SOCK" /dev/nbd0 -N port1 || { ok=0; why="nbd-client port1 failed"; }
    run nbd-attach nbd-client -u "$NBD_SOCK" /dev/nbd1 -N port0 || { ok=0; why="$why; nbd-client port0 failed"; }
    if [ $ok = 1 ]; then
        run nbd-fs mkfs.ext4 -q -F -L jahcinbd /dev/nbd0 || { ok=0; why="mkfs.ext4"; }
        run nbd-fs mount -t ext4 /dev/nbd0 /mnt || { ok=0; why="$why; mount"; }
        run nbd-fs cp "$W/pattern-msi.bin" /mnt/pattern.bin || { ok=0; why="$why; cp"; }
        run nbd-fs dd if=/dev/urandom of=/mnt/random.bin bs=64k count=64 || { ok=0; why="$why; dd"; }
        run nbd-fs sha256sum /mnt/random.bin > /dev/null
        sha256sum /mnt/random.bin | awk '{print $1}' > "$W/nbd-random.sha256"
        run nbd-fs umount /mnt || { ok=0; why="$why; umount"; }
        run nbd-fs e2fsck -fn /dev/nbd0 || { ok=0; why="$why; e2fsck -fn found errors"; }
        [ $ok = 1 ] && pass "nbd: jahci serve over VFIO, nbd-client /dev/nbd0: mkfs.ext4, mount, write, umount, e2fsck -fn clean" \
            || fail "nbd: file system on /dev/nbd0 served by jahci over VFIO" "${why#; }"
        if run nbd-fio fio --name=verify --filename=/dev/nbd1 --direct=1 --ioengine=libaio --rw=randwrite --bs=4k \
                --iodepth=32 --offset=32M --size=8M --verify=crc32c --verify_fatal=1 --do_verify=1 --output-format=terse \
            && ! grep -q "verify:.*bad\|crc32c: verify failed" "$W/logs/nbd-fio.txt"; then
            pass "nbd: fio randwrite 4k iodepth 32 with --verify=crc32c through /dev/nbd1 (jahci over VFIO)"
        else
            fail "nbd: fio --verify=crc32c through /dev/nbd1" "$(tail -3 "$W/logs/nbd-fio.txt" | tr '\n' '|')"
        fi
    fi
    run nbd-detach nbd-client -d /dev/nbd0
    run nbd-detach nbd-client -d /dev/nbd1
    kill -TERM $pid
    for i in $(seq 1 300); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
    if kill -0 $pid 2>/dev/null; then
        kill -9 $pid; fail "nbd: SIGTERM ends jahci serve" "still running 30 s after SIGTERM"
    else
        wait $pid; local rc=$?
        [ $rc = 0 ] && [ ! -e "$NBD_SOCK" ] && pass "nbd: SIGTERM ends jahci serve with exit 0 and removes its socket" \
            || fail "nbd: SIGTERM ends jahci serve" "exit $rc; $(tail -3 "$log" | tr '\n' '|')"
    fi
}
