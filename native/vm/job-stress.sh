# Boot "stress" (2 vCPUs, no IOMMU, no jahci): does HotSpot's tier-up survive this QEMU's TCG?
# STRESS_RUNS full-JIT JVMs, one after the other, each running TierUpStress (TierUpStress.java.in) for
# STRESS_SECONDS. A run died when it exited other than 0 or left an hs_err file. One line per run in
# $W/stress.txt ("run I exit=RC hs_err=N replaced=N seconds=S"; replaced: the C1 versions of the f
# methods made not entrant, from -XX:+PrintCompilation); the case passes only when no run died.
. /tmp/work/job-lib.sh
echo "job-stress: start $(date +%s)"
: > "$W/stress.txt"
died=0
for i in $(seq 1 "$STRESS_RUNS"); do
    before=$(ls "$W"/logs/hs_err-"$JOB"-pid*.log 2>/dev/null | wc -l)
    t0=$(date +%s)
    run "stress-$i" "$JAVA" -XX:-UsePerfData $ERROR_FILE -XX:+PrintCompilation -XX:CompileCommand=quiet \
        -XX:CompileCommand=dontinline,TierUpStress::f* -cp "$W/stress" TierUpStress "$STRESS_SECONDS"
    rc=$?
    crashes=$(( $(ls "$W"/logs/hs_err-"$JOB"-pid*.log 2>/dev/null | wc -l) - before ))
    replaced=$(grep -cE ' 3 +TierUpStress::f[0-9]+ \(.*made not entrant' "$W/logs/stress-$i.txt")
    echo "run $i exit=$rc hs_err=$crashes replaced=$replaced seconds=$(( $(date +%s) - t0 ))" >> "$W/stress.txt"
    [ "$rc" -eq 0 ] && [ "$crashes" -eq 0 ] || died=$((died + 1))
done
what="stress ($(nproc) vCPUs, $QEMU_VERSION, TCG thread=$TCG_THREAD): $STRESS_RUNS full-JIT JVMs of TierUpStress, $STRESS_SECONDS s each"
if [ "$died" -eq 0 ]; then
    pass "$what: none died"
else
    fail "$what" "$died died ($(grep -v 'exit=0 hs_err=0 ' "$W/stress.txt" | tr '\n' '|')); see logs/stress-*.txt and logs/hs_err-*"
fi
echo "job-stress: end $(date +%s)"
