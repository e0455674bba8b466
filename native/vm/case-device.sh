# Sourced by job-iommu.sh while the kernel's ahci owns $BDF and $DATA is the disk on port 0.
# The same disk seen through the kernel's driver (hdparm -I, smartctl -a, hdparm -C) and through
# jahci over VFIO (identify, smart, power check): printed side by side in logs/device-compare.txt
# (and on the console), and compared field by field. Leaves the controller with the kernel's ahci.

# field NAME KERNEL JAHCI: one row of the side-by-side table; counts a difference.
device_field() {
    local same=same
    [ "$2" = "$3" ] || { same=DIFFERENT; device_diffs="$device_diffs; $1: kernel '$2', jahci '$3'"; }
    printf "%-40s | %-26s | %-26s | %s\n" "$1" "$2" "$3" "$same" >> "$W/logs/device-compare.txt"
}

# The value after LABEL on the first line of FILE that has it, spaces squeezed.
device_value() {
    local line
    line=$(grep -m1 -F "$1" "$2") || return 0
    echo "${line#*"$1"}" | tr -s ' \t' ' ' | sed 's/^ //; s/ $//'
}

device_case() {
    local k="$W/logs/device-kernel" j="$W/logs/device-jahci" label id
    : > "$W/logs/device-compare.txt"
    [ -n "$DATA" ] || { fail "device: jahci agrees with hdparm and smartctl" "the kernel shows no disk on port 0"; return; }
    command -v hdparm >/dev/null && command -v smartctl >/dev/null \
        || { fail "device: jahci agrees with hdparm and smartctl" "hdparm or smartctl missing: apt-get install hdparm smartmontools"; return; }

    # 1. the kernel's view
    hdparm -I "/dev/$DATA" > "$k-identify.txt" 2>&1
    smartctl -a "/dev/$DATA" > "$k-smart.txt" 2>&1   # its exit status is a bit mask of findings: read the output
    hdparm -C "/dev/$DATA" > "$k-power.txt" 2>&1

    # 2. jahci's view, over VFIO
    if ! to_vfio; then   # through sysfs: the walk-through runs jahci bind and unbind
        fail "device: rebinding to vfio-pci for the comparison" "$(tail -3 "$W/logs/rebind.txt" | tr '\n' '|')"; return
    fi
    jahci --device "vfio:$BDF" identify --port 0 > "$j-identify.txt" 2>&1
    jahci --device "vfio:$BDF" smart --port 0 > "$j-smart.txt" 2>&1
    jahci --device "vfio:$BDF" power --port 0 check > "$j-power.txt" 2>&1
    to_kernel || fail "device: rebinding to ahci after the comparison" "$(tail -3 "$W/logs/rebind.txt" | tr '\n' '|')"
    DATA=$(disk_with_size 131072)

    # 3. identify vs hdparm -I: the labels jahci's summary shares with hdparm, and every enabled feature
    device_diffs=
    printf "%-40s | %-26s | %-26s | %s\n" "field" "kernel (hdparm, smartctl)" "jahci (VFIO)" "" >> "$W/logs/device-compare.txt"
    for label in "Model Number:" "Serial Number:" "Firmware Revision:" "LBA48  user addressable sectors:" \
            "Logical  Sector size:" "Physical Sector size:" "device size with M = 1024*1024:" \
            "device size with M = 1000*1000:" "Queue depth:"; do
        device_field "identify $label" "$(device_value "$label" "$k-identify.txt")" "$(device_value "$label" "$j-identify.txt")"
    done
    # hdparm hides TRIM for a device claiming no ATA8-ACS (QEMU's IDENTIFY says ATA-4..7); every other enabled feature
    # jahci prints must be an enabled feature in hdparm's list
    grep -P '^\t   \*\t' "$j-identify.txt" | grep -v TRIM | while IFS= read -r line; do
        if grep -qxF "$line" "$k-identify.txt"; then echo "same"; else echo "missing"; fi
        printf "%-40s | %-26s | %-26s |\n" "feature ${line##*	}" "$(grep -qxF "$line" "$k-identify.txt" && echo enabled || echo '-')" "enabled" \
            >> "$W/logs/device-compare.txt"
    done > "$W/logs/device-features.txt"
    local features missing
    features=$(grep -c . "$W/logs/device-features.txt")
    missing=$(grep -c missing "$W/logs/device-features.txt")
    if [ -z "$device_diffs" ] && [ "$features" -gt 0 ] && [ "$missing" -eq 0 ]; then
        pass "device: jahci identify agrees with hdparm -I (9 fields, $features enabled features)"
    else
        fail "device: jahci identify agrees with hdparm -I" "${device_diffs#; }; features missing in hdparm: $missing of $features"
    fi

    # 4. smart vs smartctl -a: health, then each attribute's name, flags, value, worst, threshold, type,
    #    updated, when failed and raw value
    device_diffs=
    label="SMART overall-health self-assessment test result:"
    device_field "smart health" "$(device_value "$label" "$k-smart.txt")" "$(device_value "$label" "$j-smart.txt")"
    local attributes=0 row kernel_row
    for id in $(awk '/^ID# ATTRIBUTE_NAME/ {t = 1; next} t && /^ *[0-9]+ / {print $1} t && !/^ *[0-9]+ / {t = 0}' "$j-smart.txt"); do
        row=$(awk -v id="$id" '/^ID# ATTRIBUTE_NAME/ {t = 1; next} t && $1 == id {$1 = $1; print; exit}' "$j-smart.txt")
        kernel_row=$(awk -v id="$id" '/^ID# ATTRIBUTE_NAME/ {t = 1; next} t && $1 == id {$1 = $1; print; exit}' "$k-smart.txt")
        device_field "smart attribute $id" "$(echo "$kernel_row" | cut -d' ' -f2-)" "$(echo "$row" | cut -d' ' -f2-)"
        attributes=$((attributes + 1))
    done
    if [ -z "$device_diffs" ] && [ "$attributes" -gt 0 ]; then
        pass "device: jahci smart agrees with smartctl -a (health and $attributes attributes, every column)"
    else
        fail "device: jahci smart agrees with smartctl -a" "${device_diffs#; } ($attributes attributes)"
    fi

    # 5. power check vs hdparm -C
    device_diffs=
    device_field "power: drive state is" "$(device_value "drive state is:" "$k-power.txt")" "$(device_value "drive state is:" "$j-power.txt")"
    if [ -z "$device_diffs" ]; then
        pass "device: jahci power check agrees with hdparm -C ($(device_value "drive state is:" "$j-power.txt"))"
    else
        fail "device: jahci power check agrees with hdparm -C" "${device_diffs#; }"
    fi
    echo "case-device: side by side"; cat "$W/logs/device-compare.txt"
}

device_case
