# Extracts the walk-through of docs/real-hardware.md for the guest harness (native/vm/guest-test).
# A fenced block preceded by the comment <!-- walkthrough TAG... [exit=N] --> holds commands (lines
# starting with "$ ") and, after each, lines of its output: every such line must appear in what the
# command prints (stdout and stderr), in this order; "..." in a line stands for any text, a line of
# "..." alone for lines left out. Each command must exit 0, or N when the marker says exit=N.
# TAGs name where it runs: "build" on the host, "iommu" / "noiommu" in that boot of the guest.
# Prints, tab-separated:  cmd TAGS LINE EXIT TEXT  and  out LINE TEXT  (LINE: the line in the doc).
# Refuses, naming the line: a fenced block with a command but no marker, a marker without a block,
# and a "sudo" that is not the first word or a sudo line the shells of a user and of root would
# expand differently ($, `, ~): the guest runs lines with "sudo" as root, the others as a user.
function refuse(line, why) {
    printf "%s:%d: %s\n", FILENAME, line, why > "/dev/stderr"
    failed = 1
    exit 2
}
# The line without the indentation of its block's opening fence.
function dedent(s) {
    return substr(s, 1, indent) ~ /^ *$/ ? substr(s, indent + 1) : s
}
BEGIN { marker = 0; fenced = 0; failed = 0 }
!fenced && /^ *<!-- walkthrough( [^ ]+)+ -->$/ {
    if (marker) refuse(marker, "a walkthrough marker without a fenced block after it")
    marker = FNR; tags = ""; exit_status = 0
    n = split($0, w, " ")
    for (i = 3; i < n; i++) {
        if (w[i] ~ /^exit=[0-9]+$/) exit_status = substr(w[i], 6)
        else if (w[i] ~ /^(build|iommu|noiommu)$/) tags = tags (tags == "" ? "" : ",") w[i]
        else refuse(FNR, "unknown walkthrough word '" w[i] "' (tags: build iommu noiommu; exit=N)")
    }
    if (tags == "") refuse(FNR, "a walkthrough marker names no tag (build iommu noiommu)")
    next
}
!fenced && /^ *```/ {
    fenced = 1; indent = index($0, "`") - 1; block = FNR; commands = 0
    if (marker) { block_tags = tags; block_exit = exit_status } else block_tags = ""
    marker = 0
    next
}
fenced && /^ *```/ {
    fenced = 0
    next
}
fenced {
    text = dedent($0)
    if (text ~ /^\$ /) {
        cmd = substr(text, 3)
        if (block_tags == "") refuse(FNR, "a command outside a walkthrough block: put <!-- walkthrough TAG... --> before line " block " (the guest harness runs every command of this page)")
        if (cmd ~ /(^|[^a-z])sudo / && cmd !~ /^sudo /) refuse(FNR, "sudo must be the first word of a walkthrough command")
        if (cmd ~ /^sudo / && cmd ~ /[$`~]/) refuse(FNR, "a sudo line must not use $, ` or ~: a user's shell and root's would expand them differently")
        printf "cmd\t%s\t%d\t%d\t%s\n", block_tags, FNR, block_exit, cmd
        commands++
    } else if (block_tags != "" && text !~ /^ *$/ && text != "...") {
        if (commands == 0) refuse(FNR, "output before the first command of a walkthrough block")
        printf "out\t%d\t%s\n", FNR, text
    }
    next
}
marker && !/^ *$/ { refuse(marker, "a walkthrough marker must be followed by a fenced block") }
END {
    if (failed) exit 2
    if (marker) refuse(marker, "a walkthrough marker without a fenced block after it")
    if (fenced) refuse(block, "a fenced block that is not closed")
}
