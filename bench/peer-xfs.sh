#!/bin/bash
# The pipeline an XFS administrator has today for "which files do these bad ranges hit?", timed.
#
# usage: peer-xfs.sh [--cold] [--join] [--out DIR] <mount> <ranges-file>
#
#   stage 1 (fsmap): ONE xfs_io process running one `-c "fsmap -d S E"` per range, collecting the
#                    owner inode numbers. xfs_io takes S and E in 512-byte units, E inclusive
#                    (checked on xfsprogs 6.1: "fsmap -d 184 191" returns only the record ending at
#                    191, "184 192" also the one starting at 192), so a range <off> <len> is
#                    S = off/512, E = (off+len)/512 - 1.
#   stage 2 (find):  ONE `find <mount> -xdev \( -inum a -o -inum b ... \) -printf '%i %p\n'`.
#   --join           stage 2 variant: ONE `find <mount> -xdev -printf '%i %p\n'` joined with the inode
#                    set in awk (one hash lookup per entry instead of a chain of -inum tests per entry;
#                    the -inum chain is CPU-bound: ~3-5 s for 818 inodes x 204,000 names, where the plain
#                    walk takes 0.3 s cold). Reported as find_mode=join; the default is find_mode=inum.
#   --cold           sync and drop the page/dentry/inode caches before stage 1 (not timed).
#   --out DIR        keep fsmap.txt, inodes.txt and paths.txt ("<inode> <path>", every name) in DIR.
#
# Prints one machine-readable line:
#   peer=xfs find_mode=inum|join mode=cold|warm ranges=N owner_records=N inodes=N paths=N peer_fsmap_s=S peer_find_s=S peer_total_s=S
# Argument building happens before the clock starts; parsing xfs_io's output is part of stage 1.
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
[ $# -eq 2 ] || bench_die "usage: peer-xfs.sh [--cold] [--join] [--out DIR] <mount> <ranges-file>"
mnt=$1 ranges=$2
mountpoint -q "$mnt" || bench_die "$mnt is not a mount point"
[ -r "$ranges" ] || bench_die "cannot read $ranges"
[ "$(bench_fstype "$mnt")" = xfs ] || bench_die "$mnt is not XFS"
bench_require_root
bench_require_tools xfs_io find awk

bench_init
if [ -n "$out" ]; then mkdir -p -- "$out"; work=$out; else bench_tmpdir; work=$BENCH_TMP; fi

args=()
while read -r off len _; do
    [ -n "$off" ] || continue
    args+=(-c "fsmap -d $((off / 512)) $(((off + len) / 512 - 1))")
done < "$ranges"
nranges=$((${#args[@]} / 2))
[ "$nranges" -gt 0 ] || bench_die "no ranges in $ranges"

[ $cold -eq 1 ] && bench_drop_caches

t0=$(bench_now)
xfs_io "${args[@]}" "$mnt" > "$work/fsmap.txt"
# lines look like "	0: 7:1 [192..391]: inode 132 data 0..199 200"
awk '{ for (i = 1; i < NF; i++) if ($i == "inode" && $(i + 1) ~ /^[0-9]+$/) { n++; if (!seen[$(i + 1)]++) print $(i + 1) } }
     END { print n + 0 > "/dev/stderr" }' "$work/fsmap.txt" > "$work/inodes.txt" 2> "$work/owner-records.txt"
t1=$(bench_now)
if [ -s "$work/inodes.txt" ] && [ $join -eq 1 ]; then
    find "$mnt" -xdev -printf '%i %p\n' \
        | awk 'NR == FNR { want[$1] = 1; next } ($1 in want)' "$work/inodes.txt" - > "$work/paths.txt"
elif [ -s "$work/inodes.txt" ]; then
    expr=()
    while read -r ino; do
        [ ${#expr[@]} -eq 0 ] || expr+=(-o)
        expr+=(-inum "$ino")
    done < "$work/inodes.txt"
    find "$mnt" -xdev \( "${expr[@]}" \) -printf '%i %p\n' > "$work/paths.txt"
else
    : > "$work/paths.txt"
fi
t2=$(bench_now)

printf 'peer=xfs find_mode=%s mode=%s ranges=%d owner_records=%d inodes=%d paths=%d peer_fsmap_s=%s peer_find_s=%s peer_total_s=%s\n' \
    "$([ $join -eq 1 ] && echo join || echo inum)" "$([ $cold -eq 1 ] && echo cold || echo warm)" \
    "$nranges" "$(cat "$work/owner-records.txt")" \
    "$(wc -l < "$work/inodes.txt")" "$(wc -l < "$work/paths.txt")" \
    "$(bench_elapsed "$t0" "$t1")" "$(bench_elapsed "$t1" "$t2")" "$(bench_elapsed "$t0" "$t2")"
