#!/bin/bash
# The pipeline an ext4 administrator has today for "which files do these bad ranges hit?", timed.
#
# usage: peer-ext4.sh [--cold] [--join] [--out DIR] <device-or-image> <mount> <ranges-file>
#
#   stage 1 (icheck): ONE `debugfs -R "icheck <block> <block> ..."` on the device: block -> inode.
#   stage 2 (ncheck): ONE `debugfs -R "ncheck <inode> <inode> ..."`: inode -> every path.
#   --join     stage 2 is ONE `find <mount> -xdev -printf '%i %p\n'` joined with the inode set in awk instead
#              (the shell expert's pipeline, as peer-xfs.sh --join).
#   debugfs opens the device read-only by default; nothing is written. Block numbers are
#   <byte-offset> / <filesystem block size> (the size is read from the mount, before timing).
#   Pass the loop/block device that is mounted: reading the image file instead bypasses the device's
#   page cache and can miss metadata not yet written back.
#   --cold     sync and drop the page/dentry/inode caches before stage 1 (not timed).
#   --out DIR  keep icheck.txt, inodes.txt and paths.txt ("<inode> <path>", every name) in DIR.
#
# Prints one machine-readable line:
#   peer=ext4 find_mode=ncheck|join mode=cold|warm ranges=N owner_blocks=N inodes=N paths=N peer_icheck_s=S peer_ncheck_s=S peer_total_s=S
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
. "$BENCH_DIR/lib/common.sh"

cold=0 out= join=0
while [ $# -gt 0 ]; do
    case $1 in
        --cold) cold=1; shift ;;
        --join) join=1; shift ;;
        --out) out=$2; shift 2 ;;
        -*) bench_die "unknown option $1" ;;
        *) break ;;
    esac
done
[ $# -eq 3 ] || bench_die "usage: peer-ext4.sh [--cold] [--join] [--out DIR] <device-or-image> <mount> <ranges-file>"
dev=$1 mnt=$2 ranges=$3
[ -e "$dev" ] || bench_die "$dev does not exist"
mountpoint -q "$mnt" || bench_die "$mnt is not a mount point"
[ -r "$ranges" ] || bench_die "cannot read $ranges"
bench_require_root
bench_require_tools debugfs awk
bs=$(stat -f -c %S "$mnt")

bench_init
if [ -n "$out" ]; then mkdir -p -- "$out"; work=$out; else bench_tmpdir; work=$BENCH_TMP; fi

blocks=$(awk -v bs="$bs" 'NF >= 2 { printf "%.0f ", $1 / bs }' "$ranges")
nranges=$(echo $blocks | wc -w)
[ "$nranges" -gt 0 ] || bench_die "no ranges in $ranges"

[ $cold -eq 1 ] && bench_drop_caches

t0=$(bench_now)
debugfs -R "icheck $blocks" "$dev" > "$work/icheck.txt" 2> "$work/debugfs-icheck.err"
# "Block	Inode number" header, then "<block>	<inode>" or "<block>	<block not found>"
awk 'NR > 1 && $2 ~ /^[0-9]+$/ { n++; if (!seen[$2]++) print $2 } END { print n + 0 > "/dev/stderr" }' \
    "$work/icheck.txt" > "$work/inodes.txt" 2> "$work/owner-blocks.txt"
t1=$(bench_now)
if [ -s "$work/inodes.txt" ] && [ $join -eq 1 ]; then
    find "$mnt" -xdev -printf '%i %p\n' \
        | awk 'NR == FNR { want[$1] = 1; next } ($1 in want)' "$work/inodes.txt" - > "$work/paths.txt"
elif [ -s "$work/inodes.txt" ]; then
    debugfs -R "ncheck $(echo $(cat "$work/inodes.txt"))" "$dev" 2> "$work/debugfs-ncheck.err" \
        | awk -v m="${mnt%/}" 'NR > 1 { ino = $1; sub(/^[0-9]+\t/, ""); sub(/^\/+/, "/"); print ino " " m $0 }' \
        > "$work/paths.txt"
else
    : > "$work/paths.txt"
fi
t2=$(bench_now)

printf 'peer=ext4 find_mode=%s mode=%s ranges=%d owner_blocks=%d inodes=%d paths=%d peer_icheck_s=%s peer_ncheck_s=%s peer_total_s=%s\n' \
    "$([ $join -eq 1 ] && echo join || echo ncheck)" "$([ $cold -eq 1 ] && echo cold || echo warm)" \
    "$nranges" "$(cat "$work/owner-blocks.txt")" \
    "$(wc -l < "$work/inodes.txt")" "$(wc -l < "$work/paths.txt")" \
    "$(bench_elapsed "$t0" "$t1")" "$(bench_elapsed "$t1" "$t2")" "$(bench_elapsed "$t0" "$t2")"
