# Boot 2 (no IOMMU): UIO write/read back, unbind + kernel read-back, dmesg.
. /tmp/work/job-lib.sh
echo "job-uio: start $(date +%s)"
modprobe sd_mod; modprobe ahci   # no udev in the guest: load the disk driver too
DATA=$(disk_with_size 131072) || { fail "setup" "the kernel's ahci did not show the 64 MiB disk on $BDF"; exit 1; }

if run bind-uio jahci bind --uio "$BDF" && [ "$(driver_of $BDF)" = uio_pci_generic ]; then
    pass "bind --uio: $BDF on uio_pci_generic"
else
    fail "bind --uio" "$(tr '\n' '|' < "$W/logs/bind-uio.txt")"
fi

ok=1; why=
run uio jahci --device "uio:$BDF" demo --allow-write --lba 2048 --save /tmp/demo-uio.bin || { ok=0; why="demo failed"; }
grep -q "controller: uio $BDF (uio[0-9]*, INTx" "$W/logs/uio.txt" || { ok=0; why="$why; not the uio transport"; }
grep -q "verified, identical" "$W/logs/uio.txt" || { ok=0; why="$why; demo did not verify"; }
run uio jahci --device "uio:$BDF" write --port 0 --lba 16384 --count 2048 --in "$W/pattern-uio.bin" --allow-write \
    || { ok=0; why="$why; write failed"; }
[ $ok = 1 ] && pass "uio (no IOMMU): identify, write 1 MiB, read back, verify; write a 1 MiB pattern" || fail "uio" "${why#; }"

if run unbind-uio jahci unbind "$BDF" && [ "$(driver_of $BDF)" = ahci ]; then
    DATA=$(disk_with_size 131072)
    if [ -n "$DATA" ] && compare_dd uio "$DATA" 16384 2048 "$W/pattern-uio.bin"; then
        pass "unbind after uio: the kernel's ahci driver reads the UIO pattern back with dd, byte for byte"
    else
        fail "unbind after uio + dd" "the kernel read different data (or no disk: '$DATA'); see logs/dd.txt"
    fi
else
    fail "unbind after uio" "$(tr '\n' '|' < "$W/logs/unbind-uio.txt")"
fi

check_dmesg noiommu
check_jvm_crashes uio
echo "job-uio: end $(date +%s)"
