# Boot 1 (intel-iommu, intremap): bind refusal, the walk-through of docs/real-hardware.md, VFIO with
# MSI, Ctrl-C, non-root, VFIO with INTx, unbind + the kernel's ahci driver reading jahci's data back, dmesg.
. /tmp/work/job-lib.sh
echo "job-iommu: start $(date +%s)"
modprobe sd_mod; modprobe ahci   # no udev in the guest: load the disk driver too
# and the SMBus controller's driver, as udev does on a PC: the chipset's AHCI function (q35's ICH9 at
# 00:1f.2) shares its IOMMU group with the SMBus function 00:1f.3 (one slot, no ACS), which the
# walk-through's `jahci doctor` names
modprobe i2c_i801
DATA=$(disk_with_size 131072) || { fail "setup" "the kernel's ahci did not show the 64 MiB disk on $BDF"; exit 1; }
FS=$(disk_with_size 32768) || { fail "setup" "the kernel's ahci did not show the 16 MiB disk on $BDF"; exit 1; }
echo "job-iommu: data disk $DATA, file system disk $FS"

# 1. bind refused while a disk on the controller is mounted (the walk-through's list and doctor show it
#    mounted, then unmount it)
modprobe ext4   # ext2 is served by ext4; no udev/kmod helper reaches the chroot
mount -t ext2 "/dev/$FS" /mnt || fail "mount" "cannot mount /dev/$FS"
if run bind-mounted jahci bind --vfio "$BDF"; then
    fail "bind refuses a controller whose disk is mounted" "bind succeeded"
elif grep -q "refusing to take $BDF .*$FS is mounted on /mnt" "$W/logs/bind-mounted.txt" && [ "$(driver_of $BDF)" = ahci ]; then
    pass "bind refuses a controller whose disk is mounted (names $FS and /mnt; still on ahci)"
else
    fail "bind refuses a controller whose disk is mounted" "$(tr '\n' '|' < "$W/logs/bind-mounted.txt")"
fi

# 2. --device vfio: while the kernel owns it: says to bind first
if run not-bound jahci --device "vfio:$BDF" identify; then
    fail "vfio: on a controller the kernel owns says to bind first" "identify succeeded"
elif grep -q "owned by the kernel's ahci driver.*jahci bind --vfio $BDF" "$W/logs/not-bound.txt"; then
    pass "vfio: on a controller the kernel owns says to run jahci bind --vfio first"
else
    fail "vfio: on a controller the kernel owns says to bind first" "$(tr '\n' '|' < "$W/logs/not-bound.txt")"
fi

# 3. docs/real-hardware.md, as a newcomer types it: install, list, doctor, unmount, doctor, bind --vfio,
#    identify, demo, report, unbind
walkthrough iommu
mountpoint -q /mnt && umount /mnt

# 4. back on vfio-pci (through sysfs: the walk-through ran jahci bind), a 1 MiB pattern written with MSI
#    that stays for the kernel's driver to read back in 7
group=$(basename "$(readlink /sys/bus/pci/devices/$BDF/iommu_group)")
if to_vfio && [ -c "/dev/vfio/$group" ] \
        && run vfio-msi jahci --device "vfio:$BDF" --irq msi write --port 0 --lba 2048 --count 2048 --in "$W/pattern-msi.bin" --allow-write; then
    pass "vfio + MSI (--irq msi): write a 1 MiB pattern"
else
    fail "vfio + MSI: write a 1 MiB pattern" "$(tr '\n' '|' < "$W/logs/vfio-msi.txt")"
fi

# 5. Ctrl-C while jahci holds the device: the shutdown hook releases it (interrupts off, bus master off,
#    fds closed) and the JVM exits with 130; case 6 then opens the device again.
log="$W/logs/ctrl-c.txt"
echo "\$ jahci --device vfio:$BDF read --port 0 --lba 0 --count 131072 --out /tmp/big.bin  (SIGINT once it holds /dev/vfio/$group)" >> "$log"
set -m   # job control: a background job of a non-interactive shell would otherwise ignore SIGINT, and so would the JVM
"$JAVA" $JAVA_OPTS -jar "$JAR" --device "vfio:$BDF" read --port 0 --lba 0 --count 131072 --out /tmp/big.bin >> "$log" 2>&1 &
pid=$!
set +m
for i in $(seq 1 600); do
    ls -l /proc/$pid/fd 2>/dev/null | grep -q "/dev/vfio/$group" && break
    sleep 0.1
done
kill -INT $pid
for i in $(seq 1 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
if kill -0 $pid 2>/dev/null; then
    kill -9 $pid; fail "Ctrl-C releases the device" "jahci did not exit within 10 s of SIGINT"
else
    wait $pid; rc=$?; echo "[exit $rc]" >> "$log"
    if [ $rc -ne 130 ]; then
        fail "Ctrl-C releases the device" "exit status $rc, not 130 (SIGINT)"
    elif grep -q "releasing the device at exit" "$log"; then
        fail "Ctrl-C releases the device" "$(grep "releasing the device at exit" "$log" | head -1)"
    else
        pass "Ctrl-C while jahci holds the VFIO device: exit 130, released (case 6 opens it again)"
    fi
fi

# 6. Non-root (uid 65534): refused with the permission to fix while root owns /dev/vfio/N; refused
#    naming `ulimit -l` when the locked-memory limit is too low; and, owning the group file with
#    memlock allowed, the INTx case itself runs as that user: demo (identify, write, read back,
#    verify, restore) right after the Ctrl-C.
as_nobody() { # as_nobody MEMLOCK_KIB LOG ARGS...
    local limit=$1 log=$2; shift 2
    run "$log" bash -c 'ulimit -l "$0" && HOME=/tmp exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@"' \
        "$limit" "$JAVA" $JAVA_OPTS -Djna.tmpdir=/tmp -jar "$JAR" "$@"
}
if as_nobody unlimited nonroot-perm --device "vfio:$BDF" identify; then
    fail "non-root without access to /dev/vfio/$group" "identify succeeded"
elif grep -q "no permission to open /dev/vfio/$group.*chown" "$W/logs/nonroot-perm.txt"; then
    pass "non-root without access to /dev/vfio/$group: the error names the permission to fix (chown)"
else
    fail "non-root without access to /dev/vfio/$group" "$(tr '\n' '|' < "$W/logs/nonroot-perm.txt")"
fi
chown 65534 "/dev/vfio/$group"
if as_nobody 64 nonroot-memlock --device "vfio:$BDF" identify; then
    fail "non-root with ulimit -l 64" "identify succeeded"
elif grep -q "locked-memory limit is too low. Raise it with .ulimit -l" "$W/logs/nonroot-memlock.txt"; then
    pass "non-root with ulimit -l 64: the error names ulimit -l (RLIMIT_MEMLOCK)"
else
    fail "non-root with ulimit -l 64" "$(tr '\n' '|' < "$W/logs/nonroot-memlock.txt")"
fi
if as_nobody 64 doctor-nobody doctor "$BDF"; then
    fail "doctor as uid 65534 with ulimit -l 64" "exit 0"
elif grep -q "^FAIL  memlock  *ulimit -l 64 KiB is below [0-9]* MiB for 32 ports" "$W/logs/doctor-nobody.txt" \
        && grep -q "fix: ulimit -l [0-9]* (KiB" "$W/logs/doctor-nobody.txt" \
        && grep -q "^PASS  $BDF /dev/vfio  */dev/vfio/$group is open" "$W/logs/doctor-nobody.txt"; then
    pass "doctor as uid 65534 with ulimit -l 64: FAIL memlock naming ulimit -l, /dev/vfio/$group open to the owner"
else
    fail "doctor as uid 65534 with ulimit -l 64" "$(tr '\n' '|' < "$W/logs/doctor-nobody.txt")"
fi
ok=1; why=
as_nobody unlimited vfio-intx --device "vfio:$BDF" --irq intx demo --allow-write --lba 2048 --save /tmp/demo-intx.bin \
    || { ok=0; why="demo failed"; }
grep -q "controller: vfio $BDF (IOMMU group [0-9]*, INTx" "$W/logs/vfio-intx.txt" || { ok=0; why="$why; not on INTx"; }
grep -q "verified, identical" "$W/logs/vfio-intx.txt" || { ok=0; why="$why; demo did not verify"; }
[ $ok = 1 ] && pass "vfio + INTx, as uid 65534 owning /dev/vfio/$group: identify, write 1 MiB, read back, verify" \
    || fail "vfio + INTx (non-root)" "${why#; }"

# The read jobs of the I/O comparison (case 8).
BENCH_JOBS="randread:4k:1 randread:4k:32 read:128k:1"
# 8. The I/O comparison, jahci in every completion mode against the kernel's ahci (case-completion.sh).
. /tmp/work/case-completion.sh

. /tmp/work/case-nbd.sh && nbd_over_vfio   # 9. NBD over VFIO (case-nbd.sh)

# 7. unbind: the kernel's ahci takes the controller back and reads jahci's data byte for byte
if run unbind jahci unbind "$BDF" && [ "$(driver_of $BDF)" = ahci ]; then
    DATA=$(disk_with_size 131072)
    if [ -n "$DATA" ] && compare_dd msi "$DATA" 2048 2048 "$W/pattern-msi.bin"; then
        pass "unbind: the kernel's ahci driver reads jahci's VFIO pattern back with dd, byte for byte"
    else
        fail "unbind + dd" "the kernel read different data (or no disk: '$DATA'); see logs/dd.txt"
    fi
else
    fail "unbind" "$(tr '\n' '|' < "$W/logs/unbind.txt")"
fi

. /tmp/work/case-vfio-req.sh   # 10. the kernel asks for the controller back while jahci holds it
. /tmp/work/case-device.sh   # 11. jahci's identify, smart, power check vs hdparm -I, smartctl -a, hdparm -C

check_dmesg iommu
check_jvm_crashes iommu
echo "job-iommu: end $(date +%s)"
