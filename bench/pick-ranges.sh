#!/bin/bash
# Pick random allocated file-data blocks of a mounted filesystem, deterministically for a seed.
#
# usage: pick-ranges.sh <mounted-fs> [count=1000] [seed=1] > ranges.txt
#
# Output: one range per line, "<byte-offset> <length>", relative to the start of the filesystem's
# device, one filesystem block each (4096 bytes on the fixtures), sorted by offset, no duplicates.
#
# Candidates come from GETFSMAP (xfs_io -c "fsmap ... -m"), every file-data block equally likely
# (a reflinked block counts once):
#   XFS  records owned by an inode's data fork (needs rmapbt=1 and root, or there are none).
#        Directory blocks are data forks too, and are eligible.
#   ext4 GETFSMAP names no inode owners: file data, extent blocks, directories and the journal all
#        show as the "unknown" owner; stretches GETFSMAP omits are candidates too (see intervals()).
#        Candidates are checked with one `debugfs -R icheck` on the
#        mounted device and only blocks of ordinary inodes (>= the superblock's first inode) are kept.
#        (xfs_io's "fsmap -d" is refused by ext4 with EINVAL, so plain "fsmap" is used there.)
# The random generator is MINSTD in awk (exact in double arithmetic), so mawk and gawk agree.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
. "$BENCH_DIR/lib/common.sh"

[ $# -ge 1 ] || bench_die "usage: pick-ranges.sh <mounted-fs> [count=1000] [seed=1]"
mnt=$1 count=${2:-1000} seed=${3:-1}
[[ $count =~ ^[0-9]+$ && $count -gt 0 ]] || bench_die "count must be a positive number"
[[ $seed =~ ^[0-9]+$ ]] || bench_die "seed must be a number"
mountpoint -q "$mnt" || bench_die "$mnt is not a mount point"
bench_require_tools xfs_io findmnt awk sort
fstype=$(bench_fstype "$mnt")
bs=$(stat -f -c %S "$mnt")

gaps=0 dev_sectors=0
case $fstype in
    xfs) fsmap=(fsmap -d -m) owner_re='^inode_[0-9]+_data$' ;;
    ext4) fsmap=(fsmap -m) owner_re='^special_0:2$' gaps=1; bench_require_tools debugfs dumpe2fs blockdev
          dev_sectors=$(blockdev --getsz "$(bench_source "$mnt")") ;;
    *) bench_die "unsupported filesystem type $fstype" ;;
esac

# union of the eligible records, in filesystem blocks: "<first-block> <block-count>".
# With gaps=1 (ext4), stretches GETFSMAP does not report at all are eligible too: on Linux 6.18 ext4's
# GETFSMAP leaves out block groups with no free block and the in-use tail before them (1.4 GiB of the
# 200,000-file fixture, file data included); icheck then decides what the blocks are.
intervals() {
    xfs_io -c "${fsmap[*]}" "$mnt" \
        | awk -F, -v re="$owner_re" '$4 ~ /^[0-9]+$/ { print $4, $5, ($6 ~ re) ? 1 : 0 }' \
        | sort -n -k1,1 -k2,2 \
        | awk -v bs="$bs" -v gaps="$gaps" -v dev_end="$dev_sectors" '
            function emit(first, last) { printf "%.0f %.0f\n", first * 512 / bs, (last + 1) * 512 / bs - 1 }
            { if (gaps && $1 > covered + 1 && NR > 1) emit(covered + 1, $1 - 1)
              if ($3) emit($1, $2)
              if (NR == 1 || $2 > covered) covered = $2 }
            END { if (gaps && NR && dev_end - 1 > covered) emit(covered + 1, dev_end - 1) }' \
        | sort -n -k1,1 -k2,2 \
        | awk '
            NR == 1 { s = $1; e = $2; next }
            $1 <= e + 1 { if ($2 > e) e = $2; next }
            { printf "%.0f %.0f\n", s, e - s + 1; s = $1; e = $2 }
            END { if (NR) printf "%.0f %.0f\n", s, e - s + 1 }'
}

# draw <want> distinct blocks uniformly from the intervals on stdin, in draw order
draw() {
    awk -v want="$1" -v seed="$seed" '
        function next_minstd() { x = (x * 48271) % 2147483647; return x }
        function uniform(n,    r, i) {
            r = ((next_minstd() - 1) * 2147483646 + (next_minstd() - 1)) / (2147483646 * 2147483646)
            i = int(r * n); return i >= n ? n - 1 : i
        }
        { m++; start[m] = $1; cum[m] = total; total += $2 }
        END {
            x = seed % 2147483646 + 1
            if (want > total) want = total
            while (picked < want) {
                idx = uniform(total)
                if (idx in seen) continue
                seen[idx] = 1; picked++
                lo = 1; hi = m                          # last interval with cum <= idx
                while (lo < hi) { mid = int((lo + hi + 1) / 2); if (cum[mid] <= idx) lo = mid; else hi = mid - 1 }
                printf "%.0f\n", start[lo] + idx - cum[lo]
            }
        }'
}

if [ "$fstype" = xfs ]; then
    blocks=$(intervals | draw "$count")
else
    dev=$(bench_source "$mnt")
    [ -b "$dev" ] || bench_die "cannot find the block device of $mnt (got '$dev')"
    first_ino=$(dumpe2fs -h "$dev" 2>/dev/null | awk -F: '/^First inode:/ { gsub(/ /, "", $2); print $2 }')
    [ -n "$first_ino" ] || bench_die "cannot read the first inode number of $dev"
    sync -f "$mnt"
    candidates=$(intervals | draw $((count * 2 + 100)))
    # keep, in draw order, candidates that belong to an ordinary inode (drops journal, free, unmapped)
    blocks=$(debugfs -R "icheck $(echo $candidates)" "$dev" 2>/dev/null \
        | awk -v first="$first_ino" -v want="$count" '
            NR > 1 && $2 ~ /^[0-9]+$/ && $2 >= first && n < want { print $1; n++ }')
fi

got=$(printf '%s\n' "$blocks" | grep -c . || true)
[ "$got" -eq "$count" ] || echo "pick-ranges: only $got eligible blocks (asked for $count)" >&2
printf '%s\n' "$blocks" | grep . | sort -n | awk -v bs="$bs" '{ printf "%.0f %d\n", $1 * bs, bs }'
