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

# wait_for FILE PATTERN SECONDS: until FILE has a line matching PATTERN.
wait_for() {
    local i
    for i in $(seq 1 $(( $3 * 10 ))); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
    return 1
}

driver_of() { basename "$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null)" 2>/dev/null; }

# Rebinding $BDF through sysfs as `jahci unbind` / `jahci bind` do (the walk-through and case 7 run
# those; a JVM start per rebind costs 10-30 s under TCG): driver_override, unbind, drivers_probe.
rebind() { # rebind DRIVER OVERRIDE
    local dev=/sys/bus/pci/devices/$BDF
    [ "$(driver_of $BDF)" = "$1" ] && return 0
    echo "$2" > "$dev/driver_override" && { [ ! -e "$dev/driver" ] || echo "$BDF" > "$dev/driver/unbind"; } \
        && echo "$BDF" > /sys/bus/pci/drivers_probe
    echo "rebind to $1: now $(driver_of $BDF)" >> "$W/logs/rebind.txt"
    [ "$(driver_of $BDF)" = "$1" ]
}
to_kernel() { rebind ahci ""; }
to_vfio() { modprobe vfio-pci; rebind vfio-pci vfio-pci; }
to_uio() { modprobe uio_pci_generic; rebind uio_pci_generic uio_pci_generic; }

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
# cannot, e.g. as uid 65534, in /tmp or its working directory, such as the walk-through's clone) is
# copied to $W/logs, which the host brings back and prints on failure.
check_jvm_crashes() {
    local name=$1 f crashed
    for f in /tmp/hs_err_pid*.log /hs_err_pid*.log "$W"/clone/hs_err_pid*.log; do
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

# walkthrough TAG: runs the commands of docs/real-hardware.md's walk-through blocks tagged TAG, in the
# doc's order, as a newcomer types them in their clone (walkthrough.awk extracted them on the host into
# $W/walkthrough.txt; guest-test copied what a clone holds after the build to $W/clone): lines with
# "sudo" as root, through a sudo that runs the command with sudo's secure_path (the guest has no sudo
# and runs as root), the others as a user (uid 65534, HOME /tmp/home) with a user's PATH. /usr/local
# is an empty tmpfs, as on a fresh install, where the doc's `sudo native/install` puts the launcher.
# Each command must exit as the doc says (0 unless exit=N) and print the doc's lines after it, in
# order ("..." matches any text); one case per command, naming its line in the doc. The first failure
# stops the walk-through, as it would stop a newcomer. JVMs: C1 only (JAHCI_JAVA, which the launcher
# honours), as the other cases.
WALK_BIN=/tmp/walk-bin
walkthrough() {
    local tag=$1 doc=docs/real-hardware.md kind f2 f3 f4 f5 mine= rc why log i
    local -a cmds=() lines=() exits=() outs=()
    if [ ! -d "$WALK_BIN" ]; then
        mount -t tmpfs -o mode=755 tmpfs /usr/local
        mkdir -p "$WALK_BIN" /tmp/home
        chown 65534:65534 /tmp/home
        chown -R 65534:65534 "$W/clone"
        cat > "$WALK_BIN/sudo" <<'SUDO'
#!/bin/sh
# The guest's sudo: the guest runs as root; run the command with sudo's secure_path.
[ "$(id -u)" -eq 0 ] || { echo "sudo: in this guest only root runs sudo" >&2; exit 1; }
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin exec "$@"
SUDO
        printf '#!/bin/sh\nexec %s -XX:TieredStopAtLevel=1 -XX:-UsePerfData -XX:+UseSerialGC "$@"\n' "$JAVA" > "$WALK_BIN/java"
        chmod 755 "$WALK_BIN/sudo" "$WALK_BIN/java"
    fi
    # TAG's commands with their doc line, expected exit status and expected output ("LINE<tab>TEXT" lines)
    while IFS=$'\t' read -r kind f2 f3 f4 f5; do
        if [ "$kind" = cmd ]; then
            case ",$f2," in
                *",$tag,"*) mine=1; cmds+=("$f5"); lines+=("$f3"); exits+=("$f4"); outs+=("") ;;
                *) mine= ;;
            esac
        elif [ -n "$mine" ]; then
            outs[-1]+="$f2"$'\t'"$f3"$'\n'
        fi
    done < "$W/walkthrough.txt"
    [ ${#cmds[@]} -gt 0 ] || { fail "walkthrough $tag" "$doc has no command tagged $tag"; return 1; }
    for i in "${!cmds[@]}"; do
        log="$W/logs/walk-$tag-${lines[$i]}.txt"
        case "${cmds[$i]}" in
            sudo\ *) (cd "$W/clone" && exec env -i HOME=/root USER=root LOGNAME=root JAHCI_JAVA="$WALK_BIN/java" \
                        PATH="$WALK_BIN:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
                        timeout 300 bash -c "${cmds[$i]}") > "$log.out" 2>&1 ;;
            *) (cd "$W/clone" && exec setpriv --reuid=65534 --regid=65534 --clear-groups env -i HOME=/tmp/home USER=nobody \
                        LOGNAME=nobody JAHCI_JAVA="$WALK_BIN/java" PATH=/usr/local/bin:/usr/bin:/bin \
                        timeout 300 bash -c "${cmds[$i]}") > "$log.out" 2>&1 ;;
        esac
        rc=$?
        { echo "\$ ${cmds[$i]}"; cat "$log.out"; echo "[exit $rc]"; } > "$log"
        if [ "$rc" -ne "${exits[$i]}" ]; then
            why="exit $rc, the doc says ${exits[$i]}"
        else
            why=$(walk_output "$log.out" "${outs[$i]}")
        fi
        rm -f "$log.out"
        if [ -n "$why" ]; then
            fail "walkthrough $tag: $doc:${lines[$i]} \`${cmds[$i]}\`" "$why; logs/walk-$tag-${lines[$i]}.txt: $(head -c 800 "$log" | tr '\n' '|')"
            [ $((i + 1)) -lt ${#cmds[@]} ] && fail "walkthrough $tag: the commands after $doc:${lines[$i]}" \
                "not run ($(( ${#cmds[@]} - i - 1 )) of ${#cmds[@]}): a newcomer stops at the first failure too"
            return 1
        fi
        pass "walkthrough $tag: $doc:${lines[$i]} \`${cmds[$i]}\` (exit $rc, the doc's output)"
    done
}

# walk_output FILE EXPECTED: prints why FILE does not hold EXPECTED's lines ("LINE<tab>TEXT", TEXT with
# "..." for any text) in that order, each with its trailing blanks ignored; nothing when it does.
walk_output() {
    local file=$1 line text pattern at=0 n found
    local -a actual
    mapfile -t actual < "$file"
    while IFS=$'\t' read -r line text; do
        [ -n "$line" ] || continue
        pattern=$(printf '%s' "$text" | sed 's/[^A-Za-z0-9 ]/\\&/g; s/\\\.\\\.\\\./*/g')   # literal, but ... = *
        found=
        for (( n = at; n < ${#actual[@]}; n++ )); do
            if [[ "${actual[$n]%"${actual[$n]##*[! ]}"}" == $pattern ]]; then found=1; at=$((n + 1)); break; fi
        done
        [ -n "$found" ] || { echo "no line like docs/real-hardware.md:$line \`$text\` after the lines before it"; return; }
    done <<< "$2"
}
