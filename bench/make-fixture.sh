#!/bin/bash
# Build a deterministic benchmark filesystem image.
#
# usage: make-fixture.sh [--seed N] [--size SIZE] [--rmapbt 0|1] [--force] <xfs|ext4> <image-path> [files=200000]
#
#   --seed N      generator seed (default 42): same seed -> same tree, names, sizes, contents, links
#   --size SIZE   sparse image size for truncate (default: 8G up to 400,000 files, else 20 KiB per file rounded
#                 up to GiB: 39G for 2,000,000 files, of which ~26 GB are written)
#   --rmapbt 0|1  XFS only: reverse-mapping btree (default 1; 0 makes GETFSMAP report no file owners)
#   --force       replace an existing image (otherwise refuse to touch it)
#   --print-stamp print the stamp these parameters would produce and exit (used by run-*.sh)
#
# The image is built as <image-path>.partial and renamed only on success; <image-path>.stamp records
# the parameters (run-*.sh reuse an image whose stamp matches) and <image-path>.summary the summary.
# XFS: mkfs.xfs -m rmapbt=1,reflink=1; ext4: mkfs.ext4 defaults (+ eager inode-table init, so no
# background ext4lazyinit I/O disturbs later timings). Filesystem UUIDs are fixed, so two builds differ
# only in timestamps.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
. "$BENCH_DIR/lib/common.sh"

# Bump when the generator or mkfs options change, so stale images are rebuilt by run-*.sh.
FIXTURE_VERSION=2
FIXED_UUID=6461786a-6775-4172-a462-656e63680001

seed=42 size= rmapbt=1 force=0 print_stamp=0
while [ $# -gt 0 ]; do
    case $1 in
        --seed) seed=$2; shift 2 ;;
        --size) size=$2; shift 2 ;;
        --rmapbt) rmapbt=$2; shift 2 ;;
        --force) force=1; shift ;;
        --print-stamp) print_stamp=1; shift ;;
        -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
        --) shift; break ;;
        -*) bench_die "unknown option $1" ;;
        *) break ;;
    esac
done
[ $# -ge 2 ] || bench_die "usage: make-fixture.sh [--seed N] [--size SIZE] [--rmapbt 0|1] [--force] <xfs|ext4> <image-path> [files=200000]"
fstype=$1 image=$2 files=${3:-200000}
case $fstype in xfs|ext4) ;; *) bench_die "filesystem type must be xfs or ext4, not $fstype" ;; esac
case $rmapbt in 0|1) ;; *) bench_die "--rmapbt must be 0 or 1" ;; esac
[[ $files =~ ^[0-9]+$ ]] || bench_die "files must be a number"
[[ $seed =~ ^[0-9]+$ ]] || bench_die "seed must be a number"

# Default size: the 200k recipe used 2.6-2.9 GB of 8 GiB; ~13 KiB are written per file, so 20 KiB per file
# leaves room. ext4's default of one inode per 16 KiB then gives 1.3 inodes per file.
[ -n "$size" ] || size=$(( files <= 400000 ? 8 : (files * 20 + 1048575) / 1048576 ))G
stamp="fixture_version=$FIXTURE_VERSION fstype=$fstype files=$files seed=$seed size=$size"
[ "$fstype" = xfs ] && stamp+=" rmapbt=$rmapbt"
if [ $print_stamp -eq 1 ]; then printf '%s\n' "$stamp"; exit 0; fi

bench_require_root
bench_require_tools "mkfs.$fstype" losetup mount umount findmnt perl truncate df find filefrag xfs_io
[ -e "$image" ] && [ $force -eq 0 ] && bench_die "$image exists; use --force to replace it"

bench_init
partial="$image.partial"
bench_tmpdir; work=$BENCH_TMP
mnt="$work/mnt"
mkdir -p -- "$(dirname -- "$image")"
rm -f -- "$partial"
# the partial image is ours: remove it if we do not finish
trap 'rc=$?; trap - EXIT; bench_cleanup; [ $rc -eq 0 ] || rm -f -- "$partial"; exit $rc' EXIT

t_start=$(bench_now)
truncate -s "$size" -- "$partial"
if [ "$fstype" = xfs ]; then
    mkfs.xfs -q -f -L daxbench -m "rmapbt=$rmapbt,reflink=1,uuid=$FIXED_UUID" -- "$partial"
else
    mkfs.ext4 -q -F -L daxbench -U "$FIXED_UUID" \
        -E "lazy_itable_init=0,lazy_journal_init=0,hash_seed=$FIXED_UUID" -- "$partial"
fi
t_mkfs=$(bench_now)

# XFS: a fixed 4 KiB EOF preallocation while building, so interleaved fsync'ed writes really fragment
# (dynamic speculative preallocation would otherwise make each file contiguous). Not persistent.
# nouuid: every image has the same fixed UUID, and XFS refuses to mount one while another is mounted
build_opts=
[ "$fstype" = xfs ] && build_opts=allocsize=4096,nouuid
bench_attach_and_mount "$partial" "$mnt" "$build_opts"
mkdir "$mnt/tree"
mkdir "$work/plan"
gen=$(perl "$BENCH_DIR/lib/populate.pl" "$mnt/tree" "$files" "$seed" "$work/plan")
t_populate=$(bench_now)

reflinked=0
if [ "$fstype" = xfs ]; then
    # one cp per destination directory, many sources each
    for dest in $(cut -f1 "$work/plan/reflinks.list" | sort -u); do
        awk -F'\t' -v d="$dest" '$1 == d { print $2 }' "$work/plan/reflinks.list" \
            | xargs -d '\n' cp --reflink=always -t "$dest"
    done
    reflinked=$(wc -l < "$work/plan/reflinks.list")
fi
sync -f "$mnt"
t_reflink=$(bench_now)

# ---- summary (not part of the build time)
read -r s_files s_names s_dirs s_hardlinked s_apparent < <(find "$mnt" -xdev -printf '%y %i %n %s\n' | awk '
    $1 == "d" { dirs++ }
    $1 == "f" { names++; if (!($2 in seen)) { seen[$2] = 1; files++; bytes += $4; if ($3 > 1) hl++ } }
    END { printf "%d %d %d %d %.0f\n", files, names, dirs, hl, bytes }')
if [ "$fstype" = xfs ]; then
    # records owned by a file's data fork; reflinked blocks appear once per owner
    read -r s_extents s_shared < <(xfs_io -c "fsmap -d -m" "$mnt" | awk -F, '
        $6 ~ /^inode_[0-9]+_data$/ { n++; k = $4 "," $5; if (k in seen) shared++; seen[k] = 1 }
        END { printf "%d %d\n", n, shared }')
else
    # ext4 GETFSMAP has no file owners and merges neighbours: count "unknown" (file data + extent blocks
    # + directories + journal) records; Linux 6.18 also omits block groups with no free block from it
    read -r s_extents < <(xfs_io -c "fsmap -m" "$mnt" | awk -F, '$6 == "special_0:2" { n++ } END { print n + 0 }')
    s_shared=0
fi
extent_key=data_extent_records
[ "$fstype" = ext4 ] && extent_key=fsmap_unknown_records
# FIEMAP extent records (filefrag's own "N extents found" merges extents whose physical gap equals
# their logical gap, which is exactly how XFS lays out a sparse file)
read -r s_frag_files s_frag_extents s_frag_max < <(xargs -d '\n' filefrag -v < "$work/plan/fragmented.list" | awk '
    /^File size of / { if (n) { if (c > m) m = c }; n++; c = 0; next }
    /^ *[0-9]+: / { c++; e++ }
    END { if (c > m) m = c; printf "%d %d %d\n", n, e, m }')
s_used=$(df -B1 --output=used "$mnt" | tail -n 1 | tr -d ' ')
bench_unmount_all
mv -f -- "$partial" "$image"
t_end=$(bench_now)

summary="fixture=$image $stamp regular_files=$s_files names=$s_names dirs=$s_dirs hardlinked_files=$s_hardlinked"
summary+=" reflinked_copies=$reflinked apparent_bytes=$s_apparent used_bytes=$s_used"
summary+=" $extent_key=$s_extents shared_records=$s_shared"
summary+=" fragmented_files=$s_frag_files fragmented_extents=$s_frag_extents fragmented_max_extents=$s_frag_max"
summary+=" mkfs_s=$(bench_elapsed "$t_start" "$t_mkfs") populate_s=$(bench_elapsed "$t_mkfs" "$t_populate")"
summary+=" reflink_sync_s=$(bench_elapsed "$t_populate" "$t_reflink") build_s=$(bench_elapsed "$t_start" "$t_reflink")"
summary+=" total_s=$(bench_elapsed "$t_start" "$t_end")"
printf '%s\n' "$stamp" > "$image.stamp"
printf '%s\n%s\n' "$summary" "$gen" > "$image.summary"
printf '%s\n%s\n' "$summary" "$gen"
