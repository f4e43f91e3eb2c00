#!/bin/bash
# End-to-end benchmark run for one filesystem type; called by run-xfs.sh and run-ext4.sh.
#
# usage: run-<xfs|ext4>.sh [--files N] [--seed N] [--range-seed N] [--count N] [--out DIR] [--rebuild]
#
#   --files N       fixture size (default 200000)
#   --seed N        fixture generator seed (default 42)
#   --range-seed N  pick-ranges seed (default 1)
#   --count N       ranges to resolve (default 1000)
#   --out DIR       images, ranges and results (default bench/out, kept out of git)
#   --rebuild       rebuild the image even if one with the same stamp exists
#   MOUNT_OPTS      environment: mount options for the run (default ro: nothing can change the image)
#
# Steps: build the image (or reuse it when <image>.stamp matches), attach + mount it, pick ranges,
# run the peer pipeline cold then warm, then, if bench/daxguard-resolve.sh is executable, run
#   bench/daxguard-resolve.sh <mount> <ranges-file> cold   (after sync + drop_caches)
#   bench/daxguard-resolve.sh <mount> <ranges-file> warm
# reading "daxguard_cold_s=<s>" / "daxguard_warm_s=<s>" from its output, and print ratios
# (peer seconds / daxguard seconds). Everything mounted or attached here is undone on any exit.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")/.." && pwd)
. "$BENCH_DIR/lib/common.sh"

fstype=${1:?fstype}; shift
files=200000 seed=42 range_seed=1 count=1000 out=$BENCH_DIR/out rebuild=0
while [ $# -gt 0 ]; do
    case $1 in
        --files) files=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        --range-seed) range_seed=$2; shift 2 ;;
        --count) count=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --rebuild) rebuild=1; shift ;;
        -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
        *) bench_die "unknown argument $1" ;;
    esac
done
bench_require_root
mount_opts=${MOUNT_OPTS-ro}
hook=$BENCH_DIR/daxguard-resolve.sh

mkdir -p -- "$out"
out=$(cd "$out" && pwd)
name=$fstype-$files-s$seed
image=$out/$name.img
want_stamp=$("$BENCH_DIR/make-fixture.sh" --seed "$seed" --print-stamp "$fstype" "$image" "$files")

bench_init
if [ $rebuild -eq 0 ] && [ -f "$image" ] && [ "$(cat "$image.stamp" 2>/dev/null)" = "$want_stamp" ]; then
    echo "reusing $image ($want_stamp)" >&2
else
    echo "building $image ($want_stamp)" >&2
    "$BENCH_DIR/make-fixture.sh" --force --seed "$seed" "$fstype" "$image" "$files" >&2
fi

mnt=$(bench_tmpdir)/mnt
bench_attach_and_mount "$image" "$mnt" "$mount_opts"
dev=$BENCH_LOOP
ranges=$out/ranges-$name-r$range_seed-c$count.txt
"$BENCH_DIR/pick-ranges.sh" "$mnt" "$count" "$range_seed" > "$ranges"

peer() {   # peer <cold|warm>
    local flag=()
    [ "$1" = cold ] && flag=(--cold)
    if [ "$fstype" = xfs ]; then
        "$BENCH_DIR/peer-xfs.sh" "${flag[@]}" --out "$out/peer-$name-$1" "$mnt" "$ranges"
    else
        "$BENCH_DIR/peer-ext4.sh" "${flag[@]}" --out "$out/peer-$name-$1" "$dev" "$mnt" "$ranges"
    fi
}
field() { sed -n "s/.*\\b$1=\\([0-9.]*\\).*/\\1/p" | tail -n 1; }    # field <key> < text
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b != "" && b > 0) printf "%.1f", a / b; else printf "n/a" }'; }

peer_cold=$(peer cold)
peer_warm=$(peer warm)
result="run=$name ranges=$(wc -l < "$ranges") range_seed=$range_seed mount_opts=${mount_opts:-default}"
result+=$'\n'"$peer_cold"$'\n'"$peer_warm"

if [ -x "$hook" ]; then
    export DAXGUARD_BENCH_FSTYPE=$fstype DAXGUARD_BENCH_DEVICE=$dev DAXGUARD_BENCH_IMAGE=$image
    for mode in cold warm; do
        export DAXGUARD_BENCH_PEER_PATHS=$out/peer-$name-$mode/paths.txt
        [ $mode = cold ] && bench_drop_caches
        t0=$(bench_now)
        hook_out=$("$hook" "$mnt" "$ranges" "$mode")
        t1=$(bench_now)
        dg=$(printf '%s\n' "$hook_out" | field "daxguard_${mode}_s")
        peer_line=$([ $mode = cold ] && echo "$peer_cold" || echo "$peer_warm")
        pt=$(printf '%s\n' "$peer_line" | field peer_total_s)
        result+=$'\n'"daxguard mode=$mode daxguard_${mode}_s=${dg:-missing} hook_wall_${mode}_s=$(bench_elapsed "$t0" "$t1") peer_over_daxguard_${mode}=$(ratio "$pt" "$dg")"
    done
else
    result+=$'\n'"daxguard hook $hook not present: peer figures only"
fi

bench_unmount_all
printf '%s\n' "$result"
{ echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -r) $want_stamp"; printf '%s\n' "$result"; } >> "$out/results.txt"
