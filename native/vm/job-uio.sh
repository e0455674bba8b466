# Boot 2 (no IOMMU): the walk-through of docs/real-hardware.md for UIO, a UIO pattern write, the kernel's
# ahci reading it back, dmesg.
. /tmp/work/job-lib.sh
echo "job-uio: start $(date +%s)"
modprobe sd_mod; modprobe ahci   # no udev in the guest: load the disk driver too
DATA=$(disk_with_size 131072) || { fail "setup" "the kernel's ahci did not show the 64 MiB disk on $BDF"; exit 1; }

# 1. docs/real-hardware.md, as a newcomer types it without an IOMMU: install, doctor, bind --uio, demo, unbind
walkthrough noiommu

# 2. back on uio_pci_generic (through sysfs: the walk-through ran jahci bind and unbind), a 1 MiB pattern
#    written over UIO, and the kernel's ahci reading it back
if to_uio && run uio jahci --device "uio:$BDF" write --port 0 --lba 16384 --count 2048 --in "$W/pattern-uio.bin" --allow-write; then
    pass "uio (no IOMMU): write a 1 MiB pattern"
else
    fail "uio: write a 1 MiB pattern" "$(tr '\n' '|' < "$W/logs/uio.txt"; tail -3 "$W/logs/rebind.txt" | tr '\n' '|')"
fi
if to_kernel; then
    DATA=$(disk_with_size 131072)
    if [ -n "$DATA" ] && compare_dd uio "$DATA" 16384 2048 "$W/pattern-uio.bin"; then
        pass "back on ahci after uio: the kernel's ahci driver reads the UIO pattern back with dd, byte for byte"
    else
        fail "back on ahci after uio + dd" "the kernel read different data (or no disk: '$DATA'); see logs/dd.txt"
    fi
else
    fail "back on ahci after uio" "$(tail -3 "$W/logs/rebind.txt" | tr '\n' '|')"
fi

check_dmesg noiommu
check_jvm_crashes uio
echo "job-uio: end $(date +%s)"
