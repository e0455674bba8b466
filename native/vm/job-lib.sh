# Sourced by the guest jobs (bash, inside the chroot of the host's root). Work directory: /tmp/work.
W=/tmp/work
. "$W/env.sh"
R="$W/results"
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
# C1 only, no perf data file, and the class data archive the host made: under TCG start-up dominates.
# A JVM that crashes writes its hs_err file into the logs the host brings back (ERROR_FILE), not into
# the guest's /tmp, which is lost with the guest (check_jvm_crashes collects those that land there).
JOB=$(basename "$0" .sh)
ERROR_FILE="-XX:ErrorFile=$W/logs/hs_err-$JOB-pid%p.log"
JAVA_OPTS="-XX:TieredStopAtLevel=1 -XX:-UsePerfData -XX:+UseSerialGC -Xshare:auto $ERROR_FILE"
[ -f "$W/jahci.jsa" ] && JAVA_OPTS="$JAVA_OPTS -XX:SharedArchiveFile=$W/jahci.jsa"
# What is measured against C runs as a user runs it: full JIT (C1-only start-up flags handicap it).
BENCH_JAVA_OPTS="-XX:-UsePerfData -Xshare:auto $ERROR_FILE"
[ -f "$W/jahci.jsa" ] && BENCH_JAVA_OPTS="$BENCH_JAVA_OPTS -XX:SharedArchiveFile=$W/jahci.jsa"
jahci() { "$JAVA" $JAVA_OPTS -jar "$JAR" "$@"; }

pass() { echo "PASS $1" >> "$R"; echo "case: PASS $1"; }
fail() { echo "FAIL $1: $2" >> "$R"; echo "case: FAIL $1: $2"; }

# run LOG CMD...: runs CMD with output (both streams) in $W/logs/LOG.txt; returns its status.
run() {
    local log="$W/logs/$1.txt"; shift
    echo "\$ $*" >> "$log"
    local t0=$(date +%s)
    "$@" >> "$log" 2>&1
    local rc=$?
    echo "[exit $rc, $(( $(date +%s) - t0 )) s]" >> "$log"
    return $rc
}

driver_of() { basename "$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null)" 2>/dev/null; }

# The kernel names of the disks on $BDF with SECTORS sectors (waits up to 30 s for the SCSI scan).
disk_with_size() {
    local want=$1 i d
    for i in $(seq 1 60); do
        for d in $(ls -d /sys/bus/pci/devices/$BDF/ata*/host*/target*/*/block/* 2>/dev/null); do
            if [ "$(cat "$d/size")" = "$want" ] && [ -b "/dev/$(basename "$d")" ]; then
                basename "$d"; return 0
            fi
        done
        sleep 0.5
    done
    return 1
}

# dmesg must show no DMAR fault and no ahci/libata error.
check_dmesg() {
    local name=$1 bad
    dmesg > "$W/logs/dmesg-$name.txt"
    bad=$(grep -Ei 'DMAR:.*(fault|DMA (Read|Write))|dmar_fault|ahci.*(error|fail)|ata[0-9.]+: .*(exception|failed|error|timeout|hard resetting)' \
        "$W/logs/dmesg-$name.txt" | head -3)
    if [ -z "$bad" ]; then pass "$name: dmesg shows no DMAR fault and no ahci error"
    else fail "$name: dmesg shows no DMAR fault and no ahci error" "$(echo "$bad" | tr '\n' '|')"; fi
}

# No JVM of this job crashed: every hs_err file (the JVM writes one where ERROR_FILE says, or, when it
# cannot, e.g. as uid 65534, in /tmp or its working directory) is copied to $W/logs, which the host
# brings back and prints on failure.
check_jvm_crashes() {
    local name=$1 f crashed
    for f in /tmp/hs_err_pid*.log /hs_err_pid*.log; do
        [ -f "$f" ] && cp "$f" "$W/logs/hs_err-$JOB-${f##*/hs_err_}"
    done
    crashed=$(cd "$W/logs" && ls hs_err-"$JOB"-pid*.log 2>/dev/null | tr '\n' ' ')
    if [ -z "$crashed" ]; then pass "$name: no JVM crashed (no hs_err file)"
    else fail "$name: no JVM crashed (no hs_err file)" "$crashed(logs/; the host prints their heads)"; fi
}

# compare_dd NAME DISK LBA COUNT FILE: the kernel's view of the sectors equals FILE byte for byte.
compare_dd() {
    local name=$1 disk=$2 lba=$3 count=$4 file=$5
    if dd if="/dev/$disk" of="/tmp/dd-$lba.bin" bs=512 skip="$lba" count="$count" iflag=direct 2>>"$W/logs/dd.txt" \
        && cmp "/tmp/dd-$lba.bin" "$file" >>"$W/logs/dd.txt" 2>&1; then
        return 0
    fi
    return 1
}
