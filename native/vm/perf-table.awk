# Prints job-perf.sh's table (the comparison in a guest of 1 vCPU, or JAHCI_VM_PERF_CPUS): per job, the
# kernel's ahci and jahci in each completion mode, and for the "nbd:" jobs qemu-nbd and jahci serve
# through the kernel's nbd driver; medians of the repetitions with [min-max], the spread of IOPS
# ((max - min) / median), the ratio to the reference (the kernel's ahci; qemu-nbd for the nbd: jobs)
# and what one I/O cost the whole guest (/proc/stat over the measured window): context switches,
# interrupts, CPU us (user / system / interrupt), and the vCPUs' idle us. jahci's own: voluntary switches of the port's threads
# and of the submitter, bytes allocated (all roles) per I/O and the JIT's compilation time in the
# window (the largest of the repetitions; 0: the JIT had settled). The kernel's own: fio's ctx and
# usr/sys CPU per I/O (jahci serve's also the JIT's time in its measured jobs). Input: perf.txt ("WHO JOB REP key=value ..."); -v load="..." the host's load.
function median(key,   m, i, j, t, a) {
    m = n[key]
    for (i = 1; i <= m; i++) a[i] = v[key, i] + 0
    for (i = 2; i <= m; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    lo[key] = a[1]; hi[key] = a[m]
    return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
}
# "median [min-max]" of KEY, each value divided by DIV, with FORMAT
function cell(key, div, format,   md) {
    if (n[key] == 0) return "-"
    md = median(key)
    return sprintf(format " [" format "-" format "]", md / div, lo[key] / div, hi[key] / div)
}
$1 == "vcpus" { vcpus = $2; next }
NF >= 4 && $4 ~ /^iops=/ {
    who = $1; job = $2
    if (!(job in seenjob)) { seenjob[job] = 1; jobs[nj++] = job }
    if (!(who in seenwho)) { seenwho[who] = 1; whos[nw++] = who }
    for (f = 4; f <= NF; f++) {
        split($f, kv, "=")
        key = who SUBSEP job SUBSEP kv[1]
        v[key, ++n[key]] = kv[2]
    }
    reps[who, job]++
}
END {
    printf "I/O comparison, guest with %s vCPU%s (TCG), jahci over UIO vs the kernel's ahci (fio libaio O_DIRECT),\n", vcpus, vcpus == 1 ? "" : "s"
    printf "nbd: jobs through the kernel's nbd driver, jahci serve (UIO) vs qemu-nbd (kernel ahci);\n"
    printf "host load (1-min) before / after: %s; per I/O, whole guest over the measured window; medians [min-max]\n", load
    # the references first (the kernel, qemu-nbd), then the others as they came
    for (w = 0; w < nw; w++) if (whos[w] == "kernel" || whos[w] == "nbd-qemu") { order[no++] = whos[w] }
    for (w = 0; w < nw; w++) if (whos[w] != "kernel" && whos[w] != "nbd-qemu") { order[no++] = whos[w] }
    for (j = 0; j < nj; j++) {
        job = jobs[j]
        ref = job ~ /^nbd:/ ? "nbd-qemu" : "kernel"
        printf "\n%s\n", job
        printf "  %-16s %2s %24s %7s %8s %22s %22s %28s %22s   %s\n", "who", "n", "IOPS", "spread", "x " ref,
            "switches/IO", "interrupts/IO", "CPU us/IO (user+sys+irq)", "idle us/IO (all vCPUs)", "own"
        kmed = n[ref SUBSEP job SUBSEP "iops"] ? median(ref SUBSEP job SUBSEP "iops") : 0
        for (o = 0; o < no; o++) {
            who = order[o]; k = who SUBSEP job SUBSEP
            if (!n[k "iops"]) continue
            md = median(k "iops")
            spread = md > 0 ? sprintf("%.0f %%", (hi[k "iops"] - lo[k "iops"]) * 100 / md) : "-"
            ratio = kmed > 0 ? sprintf("%.2f", md / kmed) : "-"
            jit = 0
            for (i = 1; i <= n[k "jit"]; i++) if (v[k "jit", i] + 0 > jit) jit = v[k "jit", i] + 0
            if (n[k "fioctx"]) {
                own = sprintf("fio ctx/IO %s, fio usr+sys us/IO %s + %s", cell(k "fioctx", 1, "%.2f"),
                    cell(k "fiousr", 1000, "%.1f"), cell(k "fiosys", 1000, "%.1f"))
                if (n[k "jit"]) own = own sprintf(", server JIT ms in jobs (max) %d", jit)
            } else {
                own = sprintf("port/submitter vol. switches/IO %s / %s, alloc B/IO %s, JIT ms in window (max) %d",
                    cell(k "portsw", 1, "%.2f"), cell(k "subsw", 1, "%.2f"), cell(k "alloc", 1, "%.1f"), jit)
            }
            printf "  %-16s %2d %24s %7s %8s %22s %22s %28s %22s   %s\n", who, reps[who, job], cell(k "iops", 1, "%.0f"), spread,
                ratio, cell(k "ctx", 1, "%.2f"), cell(k "intr", 1, "%.2f"), cell(k "busy", 1000, "%.0f"),
                cell(k "idle", 1000, "%.0f"), own
            printf "  %-16s %2s %24s %7s %8s %22s %22s %28s\n", "", "", "", "", "", "", "",
                sprintf("%.0f + %.0f + %.0f", median(k "user") / 1000, median(k "sys") / 1000, median(k "irq") / 1000)
        }
    }
}
