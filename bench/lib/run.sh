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
#   --repeat N      warm runs per measurement, the median is reported (default 3; cold runs once)
#   MOUNT_OPTS      environment: mount options for the run (default ro: nothing can change the image)
#
# Steps: build the image (or reuse it when <image>.stamp matches), attach + mount it, pick ranges,
# run the peer pipeline cold then warm (XFS: also the --join variant of its find stage), then, if
# bench/daxguard-resolve.sh is executable, run
#   bench/daxguard-resolve.sh <mount> <ranges-file> cold   (after sync + drop_caches)
#   bench/daxguard-resolve.sh <mount> <ranges-file> warm                   (<repeat> times, median)
# reading "daxguard_cold_s=<s>" / "daxguard_warm_s=<s>" from its output, and print ratios
# (peer seconds / daxguard seconds, per peer variant). Environment for the hook: DAXGUARD_BENCH_FSTYPE,
# DAXGUARD_BENCH_DEVICE (loop device), DAXGUARD_BENCH_IMAGE, DAXGUARD_BENCH_PEER_PATHS (the peer's
# "<inode> <path>" answer, to cross-check). Everything mounted or attached here is undone on any exit.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")/.." && pwd)
. "$BENCH_DIR/lib/common.sh"

fstype=${1:?fstype}; shift
files=200000 seed=42 range_seed=1 count=1000 out=$BENCH_DIR/out rebuild=0 repeat=3
while [ $# -gt 0 ]; do
    case $1 in
        --files) files=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        --range-seed) range_seed=$2; shift 2 ;;
        --count) count=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --rebuild) rebuild=1; shift ;;
        --repeat) repeat=$2; shift 2 ;;
        -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
        *) bench_die "unknown argument $1" ;;
    esac
done
bench_require_root
mount_opts=${MOUNT_OPTS-ro}
# every fixture has the same fixed UUID: XFS mounts a second one only with nouuid
[ "$fstype" = xfs ] && [ -z "${MOUNT_OPTS+set}" ] && mount_opts=ro,nouuid
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

bench_tmpdir
mnt=$BENCH_TMP/mnt
bench_attach_and_mount "$image" "$mnt" "$mount_opts"
dev=$BENCH_LOOP
ranges=$out/ranges-$name-r$range_seed-c$count.txt
"$BENCH_DIR/pick-ranges.sh" "$mnt" "$count" "$range_seed" > "$ranges"

field() { sed -n "s/.*\\b$1=\\([0-9.]*\\).*/\\1/p" | tail -n 1; }    # field <key> < text
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b != "" && b > 0) printf "%.1f", a / b; else printf "n/a" }'; }

# median_line <key>: of the lines on stdin, the one whose <key> value is the median; appends all values
median_line() {
    awk -v k="$1" '{ for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) v = substr($i, length(k) + 2)
                     line[NR] = $0; val[NR] = v + 0; all = all (NR > 1 ? "," : "") v }
        END { for (i = 1; i <= NR; i++) { r = 0; for (j = 1; j <= NR; j++) if (val[j] < val[i] || (val[j] == val[i] && j < i)) r++
                                          if (r == int((NR - 1) / 2)) m = i }
              print line[m] " runs_" k "=" all }'
}

peer_once() {   # peer_once <inum|join|debugfs> <cold|warm>
    local flag=()
    [ "$2" = cold ] && flag+=(--cold)
    [ "$1" = join ] && flag+=(--join)
    if [ "$fstype" = xfs ]; then
        "$BENCH_DIR/peer-xfs.sh" "${flag[@]}" --out "$out/peer-$name-$1-$2" "$mnt" "$ranges"
    else
        "$BENCH_DIR/peer-ext4.sh" "${flag[@]}" --out "$out/peer-$name-$1-$2" "$dev" "$mnt" "$ranges"
    fi
}
peer() {        # peer <inum|join|debugfs> <cold|warm>: cold once (caches dropped), warm <repeat> times, median
    local i
    if [ "$2" = cold ]; then peer_once "$1" cold | median_line peer_total_s; return; fi
    for ((i = 0; i < repeat; i++)); do peer_once "$1" warm; done | median_line peer_total_s
}

result="run=$name ranges=$(wc -l < "$ranges") range_seed=$range_seed mount_opts=${mount_opts:-default} repeat=$repeat"
# XFS: the -inum chain and the hash-join find; ext4: debugfs (ncheck is already one walk)
if [ "$fstype" = xfs ]; then variants=(inum join); else variants=(debugfs); fi
declare -A peer_total
for v in "${variants[@]}"; do
    for mode in cold warm; do
        line=$(peer "$v" "$mode")
        peer_total[$v-$mode]=$(printf '%s\n' "$line" | field peer_total_s)
        result+=$'\n'"$line"
    done
done

if [ -x "$hook" ]; then
    export DAXGUARD_BENCH_FSTYPE=$fstype DAXGUARD_BENCH_DEVICE=$dev DAXGUARD_BENCH_IMAGE=$image
    export DAXGUARD_BENCH_PEER_PATHS=$out/peer-$name-${variants[0]}-warm/paths.txt
    for mode in cold warm; do
        runs=1
        [ $mode = warm ] && runs=$repeat
        lines=
        for ((i = 0; i < runs; i++)); do
            [ $mode = cold ] && bench_drop_caches
            t0=$(bench_now)
            hook_out=$("$hook" "$mnt" "$ranges" "$mode") || bench_die "$hook $mode failed (exit $?)"
            t1=$(bench_now)
            dg=$(printf '%s\n' "$hook_out" | field "daxguard_${mode}_s")
            [ -n "$dg" ] || bench_die "$hook $mode printed no daxguard_${mode}_s=<seconds>"
            lines+="daxguard mode=$mode daxguard_${mode}_s=$dg hook_wall_${mode}_s=$(bench_elapsed "$t0" "$t1")"$'\n'
        done
        line=$(printf '%s' "$lines" | median_line "daxguard_${mode}_s")
        dg=$(printf '%s\n' "$line" | field "daxguard_${mode}_s")
        for v in "${variants[@]}"; do line+=" peer_${v}_over_daxguard_${mode}=$(ratio "${peer_total[$v-$mode]}" "$dg")"; done
        result+=$'\n'"$line"
    done
else
    result+=$'\n'"daxguard hook $hook not present: peer figures only"
fi

bench_unmount_all
printf '%s\n' "$result"
{ echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -r) $want_stamp"; printf '%s\n' "$result"; } >> "$out/results.txt"
