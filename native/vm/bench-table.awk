# Prints job-iommu.sh's I/O comparison (case-completion.sh): per job, the median IOPS of 3
# repetitions of the kernel's ahci and of jahci in each completion mode, with jahci/kernel ratios.
# Input lines: WHO RW BS QD REP IOPS. IOPS under TCG: only the ratios mean much.
function median(who, key,   m, i, j, t, a) {
    m = n[who, key]
    if (m == 0) return 0
    for (i = 1; i <= m; i++) a[i] = v[who, key, i] + 0
    for (i = 2; i <= m; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
}
NF == 6 && ($1 == "kernel" || $1 ~ /^jahci-/) && $6 + 0 > 0 {
    key = $2 " bs=" $3 " qd=" $4
    v[$1, key, ++n[$1, key]] = $6
    if (!(key in seen)) { seen[key] = 1; order[keys++] = key }
    if ($1 != "kernel" && !($1 in modeseen)) { modeseen[$1] = 1; mode[modes++] = $1 }
}
END {
    printf "%-24s %13s", "I/O job (guest, TCG)", "kernel IOPS"
    for (i = 0; i < modes; i++) printf " %24s", mode[i] " IOPS (x)"
    printf "   medians of 3\n"
    for (k = 0; k < keys; k++) {
        key = order[k]; c = median("kernel", key)
        printf "%-24s %13s", key, (c > 0 ? sprintf("%.0f", c) : "-")
        for (i = 0; i < modes; i++) {
            j = median(mode[i], key)
            printf " %24s", (j > 0 ? sprintf("%.0f (%s)", j, (c > 0 ? sprintf("%.2f", j / c) : "-")) : "-")
        }
        printf "\n"
    }
}
