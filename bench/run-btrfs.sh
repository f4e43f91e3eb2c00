#!/bin/bash
# daxguard's btrfs plugin against `btrfs inspect-internal logical-resolve`, the stock tool: the files (every path,
# in every subvolume and snapshot) owning COUNT random 4 KiB blocks of file data on a btrfs made here, answers
# compared query by query. See bench/README.md ("btrfs").
#   bench/run-btrfs.sh [--count N] [--files N] [--seed N] [--keep]
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$BENCH_DIR/.." && pwd)
count=1000 files=3000 seed=1 keep=0
while [ $# -gt 0 ]; do
    case $1 in
        --count) count=$2; shift 2 ;;
        --files) files=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
        *) echo "run-btrfs.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" = 0 ] || { echo "run-btrfs.sh: run as root (loop devices, mount, drop_caches, btrfs ioctls)" >&2; exit 1; }
for tool in mkfs.btrfs btrfs losetup mount awk java mvn cp; do
    command -v "$tool" > /dev/null || { echo "run-btrfs.sh: needs $tool (Debian: btrfs-progs, util-linux, openjdk-17-jdk-headless, maven)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/daxguard-bench-btrfs-XXXXXX)
mnt=$work/mnt loop=
cleanup() {
    if mountpoint -q "$mnt"; then umount "$mnt" || umount --lazy "$mnt"; fi
    if [ -n "$loop" ]; then btrfs device scan --forget "$loop" 2> /dev/null || true; losetup --detach "$loop"; fi
    if [ "$keep" = 0 ]; then rm -rf "$work"; else echo "kept $work" >&2; fi
}
trap cleanup EXIT

# 1. The filesystem: files in directories, reflinked copies, second names, a snapshot, then files rewritten in part
#    after it (so the snapshot keeps extents the live files use only in part).
truncate -s 2G "$work/disk.img"
loop=$(losetup --find --show "$work/disk.img")
mkfs.btrfs -q "$loop" > /dev/null
mkdir "$mnt"
mount -t btrfs "$loop" "$mnt"
RANDOM=$seed
for ((i = 0; i < files; i++)); do
    dir=$mnt/d$((i % 30))
    [ -d "$dir" ] || mkdir "$dir"
    head -c $(((RANDOM % 16 + 1) * 4096)) /dev/urandom > "$dir/f$i"
    if ((i % 15 == 0)); then cp --reflink=always "$dir/f$i" "$dir/f$i.reflink"; fi
    if ((i % 50 == 0)); then ln "$dir/f$i" "$dir/f$i.link"; fi
done
btrfs filesystem sync "$mnt"
btrfs subvolume snapshot "$mnt" "$mnt/snap" > /dev/null
for ((i = 0; i < files; i += 7)); do
    dd if=/dev/urandom of="$mnt/d$((i % 30))/f$i" bs=4096 count=1 conv=notrunc status=none
done
btrfs filesystem sync "$mnt"

# 2. The queries: random blocks of data extents (extent tree), placed on the device through the chunk tree.
btrfs inspect-internal dump-tree -t extent "$loop" | awk '
    /key \([0-9]+ EXTENT_ITEM [0-9]+\)/ { gsub(/[()]/, ""); for (i = 1; i <= NF; i++) if ($i == "EXTENT_ITEM") { start = $(i - 1); len = $(i + 1) } next }
    /flags DATA/ && start != "" { print start, len; start = "" }' > "$work/extents.txt"
btrfs inspect-internal dump-tree -t chunk "$loop" | awk '
    /CHUNK_ITEM/ { gsub(/[()]/, ""); for (i = 1; i <= NF; i++) if ($i == "CHUNK_ITEM") start = $(i + 1) }
    /length [0-9]+ owner/ { len = $2 }
    /stripe 0 devid/ { print start, len, $6 }' > "$work/chunks.txt"
awk -v count="$count" -v seed="$seed" -v dev="$loop" '
    FNR == NR { cstart[NR] = $1; clen[NR] = $2; coff[NR] = $3; chunks = NR; next }
    { estart[++extents] = $1; elen[extents] = $2 }
    END {
        srand(seed)
        for (tries = 0; picked < count && tries < count * 20; tries++) {
            e = int(rand() * extents) + 1
            logical = estart[e] + int(rand() * (elen[e] / 4096)) * 4096
            if (logical in seen) continue
            seen[logical] = 1
            for (c = 1; c <= chunks; c++) if (logical >= cstart[c] && logical < cstart[c] + clen[c]) break
            if (c > chunks) continue
            printf "%d %s %d\n", logical, dev, coff[c] + (logical - cstart[c])
            picked++
        }
    }' "$work/chunks.txt" "$work/extents.txt" > "$work/queries.txt"
echo "queries=$(wc -l < "$work/queries.txt") data_extents=$(wc -l < "$work/extents.txt") files=$files" >&2

# 3. The peer, cold: one logical-resolve per block, which prints every path of every file using the block in the
#    mounted subvolume, and for a file of another subvolume (the snapshot) "inode I subvol S could not be accessed:
#    not mounted"; for those, inode-resolve in that subvolume's directory, as an administrator would go on.
peer_paths() {
    btrfs inspect-internal logical-resolve "$1" "$mnt" 2> /dev/null | while read -r line; do
        case $line in
            "inode "*" subvol "*" could not be accessed"*)
                set -- $line
                btrfs inspect-internal inode-resolve "$2" "$mnt/$4" 2> /dev/null || true ;;
            *) echo "$line" ;;
        esac
    done
}
sync; echo 3 > /proc/sys/vm/drop_caches
start=$(date +%s.%N)
while read -r logical _ _; do
    printf '%s' "$logical"
    peer_paths "$logical" | sort | tr '\n' ' ' | sed 's/ $//; s/^/ /; s/^ $//'
    echo
done < "$work/queries.txt" > "$work/peer.txt"
peer_cold=$(echo "$(date +%s.%N) - $start" | bc)

# 4. daxguard: the plugin's holder in a fresh JVM (BtrfsResolve, run from its source: JDK classes, the SPI, the
#    support library and JNA only), cold (caches dropped), then warm.
(cd "$top" && mvn -q -B -o package -DskipTests -pl plugin-btrfs -am) >&2
(cd "$top" && mvn -q -B -o dependency:build-classpath -pl plugin-btrfs -Dmdep.outputFile="$work/classpath.txt") >&2
jna=$(tr ':' '\n' < "$work/classpath.txt" | grep '/jna-[0-9.]*\.jar$')
classpath=$top/plugin-api/target/classes:$top/plugin-support/target/classes:$top/plugin-btrfs/target/classes:$jna
sync; echo 3 > /proc/sys/vm/drop_caches
out=$(java -cp "$classpath" "$BENCH_DIR/src/main/java/io/daxguard/bench/BtrfsResolve.java" "$mnt" \
    "$work/queries.txt" "$work/daxguard.txt")
echo "$out" >&2

# 5. Answers compared: the same paths for every block (a block no file uses now: no path from either; daxguard
#    names what it is, free space, which is left out here).
sed -E 's/ <[A-Za-z]+>//g' "$work/daxguard.txt" > "$work/daxguard-paths.txt"
mismatches=$(diff "$work/peer.txt" "$work/daxguard-paths.txt" | grep -c '^<' || true)
if [ "$mismatches" != 0 ]; then
    { diff "$work/peer.txt" "$work/daxguard-paths.txt" || true; } | head -20 | sed 's/^/MISMATCH /' >&2
fi
daxguard_cold=$(echo "$out" | sed -n 's/^daxguard_cold_s=//p')
daxguard_warm=$(echo "$out" | sed -n 's/^daxguard_warm_s=//p')
shared=$(awk 'NF > 2' "$work/peer.txt" | wc -l)
line="btrfs files=$files queries=$(wc -l < "$work/queries.txt") blocks_with_several_paths=$shared peer_cold_s=$peer_cold daxguard_cold_s=$daxguard_cold daxguard_warm_s=$daxguard_warm mismatches=$mismatches ratio_cold=$(echo "scale=1; $peer_cold / $daxguard_cold" | bc)"
echo "$line"
mkdir -p "$BENCH_DIR/out"
echo "$(date -u +%FT%TZ) $line" >> "$BENCH_DIR/out/results-btrfs.txt"
[ "$mismatches" = 0 ]
