#!/bin/bash
# The query mix of run-interfaces.sh and its ground truth, from the filesystem's own tools (never daxguard).
#
# usage: query-mix.sh <xfs|ext4> <mount> <device> <count> <seed> <out-dir>
#
# Writes into <out-dir>:
#   queries.txt  "<byte-offset> <length>" per line, what the peers and `daxguard resolve --from` read
#   truth.txt    "<byte-offset> <length> <category> <expected>" (JmxQueries' TRUTH): category file, dir, shared,
#                metadata or free; expected the inode set (comma-separated), the metadata structure daxguard must
#                name (ext4.inode_table, xfs.log, ...) or "-"
#   paths.txt    "<inode> /<path inside the filesystem>" for every name (find -printf '%i /%P')
#   mix.txt      one line: how many of each category and structure
#
# The mix, per 1,000 queries: 900 file blocks (ext4) or 850 file + 50 shared (reflinked) blocks (XFS), 30
# directory blocks, 40 metadata blocks and 30 free blocks. One block each (the filesystem's block size).
#   file       bench/pick-ranges.sh (every allocated file-data block equally likely)
#   dir        a directory's data block: XFS from GETFSMAP records owned by a directory inode; ext4 from
#              `debugfs blocks <inode>` of randomly chosen directories
#   shared     XFS: a block of a GETFSMAP data record that more than one inode owns (cp --reflink copies)
#   metadata   ext4 from dumpe2fs (backup superblocks, group descriptors, reserved GDT blocks, block and inode
#              bitmaps, inode tables) and the journal inode's blocks (debugfs blocks <8>); XFS from GETFSMAP
#              (xfs_io -c "fsmap -m"): static metadata (AG headers), per-AG btree blocks, inode btree, inode
#              chunks, log, refcount btree
#   free       ext4: dumpe2fs "Free blocks"; XFS: GETFSMAP free-space records
# Truth: XFS, one xfs_io with one `fsmap -d -m S E` per query (the owners of exactly that block, every sharer);
# ext4, one `debugfs icheck` of the file and directory blocks; the metadata and free picks are what dumpe2fs
# says they are. Picks are deterministic for a given image and seed (MINSTD in awk, as pick-ranges.sh).
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")/.." && pwd)
. "$BENCH_DIR/lib/common.sh"

[ $# -eq 6 ] || bench_die "usage: query-mix.sh <xfs|ext4> <mount> <device> <count> <seed> <out-dir>"
fstype=$1 mnt=${2%/} dev=$3 count=$4 seed=$5 out=$6
mkdir -p -- "$out"
bs=$(stat -f -c %S "$mnt")
# metadata: an equal share per kind of structure (XFS 6 kinds, ext4 7), 40 in all per 1,000 queries
kinds=7 n_shared=0
[ "$fstype" = xfs ] && kinds=6 n_shared=$((count * 5 / 100))
per=$(( (count * 4 / 100 + kinds - 1) / kinds ))
n_dir=$((count * 3 / 100)) n_meta=$((per * kinds)) n_free=$((count * 3 / 100))
n_file=$((count - n_dir - n_meta - n_free - n_shared))

find "$mnt" -xdev -printf '%i /%P\n' > "$out/paths.txt"
root_inode=$(stat -c %i "$mnt")
find "$mnt" -xdev -type d -printf '%i\n' | awk -v r="$root_inode" '$1 != r' > "$out/dir-inodes.txt"

# pick <n> <seed>: from "<first-block> <last-block> <label...>" lines on stdin, n distinct blocks: a line
# chosen uniformly, then a block in it; prints "<block> <label...>"
pick() {
    awk -v n="$1" -v seed="$2" '
        function rnd(m) { x = (x * 16807) % 2147483647; return int(x / 2147483647 * m) }
        { lo[NR] = $1; hi[NR] = $2; $1 = ""; $2 = ""; sub(/^ +/, ""); label[NR] = $0 }
        END {
            x = seed + 12345; if (NR == 0) exit
            for (tries = 0; got < n && tries < 100 * n; tries++) {
                i = rnd(NR) + 1; b = lo[i] + rnd(hi[i] - lo[i] + 1)
                if (!(b in seen)) { seen[b] = 1; got++; print b, label[i] }
            }
        }'
}

"$BENCH_DIR/pick-ranges.sh" "$mnt" "$n_file" "$seed" | awk -v bs="$bs" '{ print $1 / bs, "file" }' > "$out/picks.txt"

if [ "$fstype" = xfs ]; then
    xfs_io -c "fsmap -m" "$mnt" > "$out/fsmap.csv"
    # "<first-block> <last-block> <owner>" of every record that covers at least one whole block
    awk -F, -v spb=$((bs / 512)) 'NR > 1 { f = int(($4 + spb - 1) / spb); l = int(($5 + 1) / spb) - 1
                                           if (l >= f) print f, l, $6 }' "$out/fsmap.csv" > "$out/records.txt"
    awk 'NR == FNR { dir["inode_" $1 "_data"] = 1; next } ($3 in dir) { print $1, $2, "dir" }' \
        "$out/dir-inodes.txt" "$out/records.txt" | pick "$n_dir" "$((seed + 1))" >> "$out/picks.txt"
    # shared: data records of different inodes over the same blocks; the blocks all of them cover
    awk '$3 ~ /^inode_[0-9]+_data$/ { k = $1; if (k in own && own[k] != $3) { n[k]++; if ($2 < end[k]) end[k] = $2 }
                                       else if (!(k in own)) { own[k] = $3; end[k] = $2 } }
         END { for (k in n) print k, end[k], "shared" }' "$out/records.txt" | sort -n \
        | pick "$n_shared" "$((seed + 2))" >> "$out/picks.txt"
    # metadata: per GETFSMAP owner type, a share of the metadata picks
    k=0
    for owner in special_88:1 special_88:2 special_88:3 special_88:4 special_88:5 special_88:6; do
        k=$((k + 1))
        awk -v o="$owner" '$3 == o { print $1, $2, "metadata" }' "$out/records.txt" \
            | pick "$per" "$((seed + 10 + k))" >> "$out/picks.txt"
    done
    awk '$3 == "special_0:1" { print $1, $2, "free" }' "$out/records.txt" | pick "$n_free" "$((seed + 3))" >> "$out/picks.txt"
else
    dumpe2fs "$dev" > "$out/dumpe2fs.txt" 2> /dev/null
    # "<first> <last> metadata <structure>" per metadata area; "<first> <last> free" per free extent
    awk '
        function area(text, kind,   r) { split(text, r, "-"); print r[1], (r[2] == "" ? r[1] : r[2]), "metadata", kind }
        /^Group [0-9]+:/ { group = 1 }
        !group { next }
        /Backup superblock at/ { s = $0; sub(/.*Backup superblock at /, "", s); sub(/,.*/, "", s); area(s, "ext4.superblock")
                                 g = $0; sub(/.*Group descriptors at /, "", g); area(g, "ext4.group_descriptors") }
        /Reserved GDT blocks at/ { s = $0; sub(/.*at /, "", s); area(s, "ext4.reserved_gdt") }
        /Block bitmap at/ { s = $0; sub(/.*Block bitmap at /, "", s); sub(/ .*/, "", s); sub(/,.*/, "", s); area(s, "ext4.block_bitmap") }
        /Inode bitmap at/ { s = $0; sub(/.*Inode bitmap at /, "", s); sub(/ .*/, "", s); sub(/,.*/, "", s); area(s, "ext4.inode_bitmap") }
        /Inode table at/ { s = $0; sub(/.*Inode table at /, "", s); sub(/ .*/, "", s); area(s, "ext4.inode_table") }
        /^  Free blocks: [0-9]/ { s = $0; sub(/.*Free blocks: /, "", s); n = split(s, r, ", ")
                                  for (i = 1; i <= n; i++) { split(r[i], e, "-"); print e[1], (e[2] == "" ? e[1] : e[2]), "free" } }
    ' "$out/dumpe2fs.txt" > "$out/areas.txt"
    journal=$(sed -n 's/^Journal inode: *//p' "$out/dumpe2fs.txt")
    debugfs -R "blocks <$journal>" "$dev" 2> /dev/null | tr ' ' '\n' | awk '/^[0-9]+$/ { print $1, $1, "metadata", "ext4.journal" }' \
        > "$out/journal.txt"
    k=0
    for kind in superblock group_descriptors reserved_gdt block_bitmap inode_bitmap inode_table; do
        k=$((k + 1))
        awk -v s="ext4.$kind" '$4 == s' "$out/areas.txt" | pick "$per" "$((seed + 10 + k))" >> "$out/picks.txt"
    done
    pick "$per" "$((seed + 20))" < "$out/journal.txt" >> "$out/picks.txt"
    awk '$3 == "free"' "$out/areas.txt" | pick "$n_free" "$((seed + 3))" >> "$out/picks.txt"
    # directories: n_dir of them, then one block of each from debugfs
    awk '{ print $1, $1, "x" }' "$out/dir-inodes.txt" | pick "$n_dir" "$((seed + 1))" | awk '{ print "blocks <" $1 ">" }' \
        > "$out/dir-cmds.txt"
    debugfs -f "$out/dir-cmds.txt" "$dev" 2> /dev/null \
        | awk '/^debugfs: blocks/ { next } { n = split($0, b, " "); if (n) print b[1], b[n], "dir" }' \
        | pick "$n_dir" "$((seed + 4))" >> "$out/picks.txt"
fi

# duplicates across categories (a directory block among the file picks): the first pick stays
awk '!seen[$1]++' "$out/picks.txt" | sort -n -k1,1 > "$out/picks.sorted"
awk -v bs="$bs" '{ printf "%.0f %d\n", $1 * bs, bs }' "$out/picks.sorted" > "$out/queries.txt"

if [ "$fstype" = xfs ]; then
    args=()
    while read -r block _; do args+=(-c "fsmap -d -m $((block * bs / 512)) $(((block + 1) * bs / 512 - 1))"); done < "$out/picks.sorted"
    xfs_io "${args[@]}" "$mnt" > "$out/truth-fsmap.csv"
    # one header per command: the records after it are that query's owners
    awk -v bs="$bs" -v dirs="$out/dir-inodes.txt" '
        BEGIN { while ((getline d < dirs) > 0) isdir[d] = 1
                kind["special_88:1"] = "xfs.static"; kind["special_88:2"] = "xfs.log"; kind["special_88:3"] = "xfs.ag-metadata"
                kind["special_88:4"] = "xfs.inobt"; kind["special_88:5"] = "xfs.inodes"; kind["special_88:6"] = "xfs.refcountbt"
                kind["special_88:7"] = "xfs.cow" }
        NR == FNR { block[FNR] = $1; want[FNR] = $2; next }
        /^EXT,/ { q++; next }
        { split($0, f, ","); o = f[6]
          if (o ~ /^inode_[0-9]+_/) { split(o, p, "_"); if (!((q, p[2]) in has)) { has[q, p[2]] = 1; ino[q] = ino[q] (ino[q] == "" ? "" : ",") p[2]; n[q]++ }
                                       if (isdir[p[2]]) dirq[q] = 1 }
          else if (o == "special_0:1") free[q] = 1
          else meta[q] = (o in kind) ? kind[o] : o }
        END { for (i = 1; i <= q; i++) {
                  if (ino[i] != "") c = n[i] > 1 ? "shared" : (dirq[i] ? "dir" : "file")
                  else if (meta[i] != "") c = "metadata"
                  else if (free[i]) c = "free"
                  else c = "unknown"
                  e = c == "metadata" ? meta[i] : (ino[i] == "" ? "-" : ino[i])
                  printf "%.0f %d %s %s\n", block[i] * bs, bs, c, e } }
    ' "$out/picks.sorted" "$out/truth-fsmap.csv" > "$out/truth.txt"
else
    awk '$2 == "file" || $2 == "dir" { print $1 }' "$out/picks.sorted" > "$out/data-blocks.txt"
    debugfs -R "icheck $(echo $(cat "$out/data-blocks.txt"))" "$dev" 2> /dev/null > "$out/icheck.txt"
    awk -v bs="$bs" -v dirs="$out/dir-inodes.txt" '
        BEGIN { while ((getline d < dirs) > 0) isdir[d] = 1 }
        NR == FNR { if (FNR > 1 && $2 ~ /^[0-9]+$/) owner[$1] = $2; next }
        { b = $1; c = $2
          if (c == "file" || c == "dir") { e = (b in owner) ? owner[b] : "-"; c = isdir[e] ? "dir" : (e == "-" ? "unknown" : "file") }
          else e = c == "metadata" ? $3 : "-"
          printf "%.0f %d %s %s\n", b * bs, bs, c, e }
    ' "$out/icheck.txt" "$out/picks.sorted" > "$out/truth.txt"
fi
# metadata picks also say which structure (for the mix line)
awk '{ c[$3]++; if ($3 == "metadata") s[$4]++ }
     END { line = "queries=" NR; for (k in c) line = line " " k "=" c[k]; for (k in s) line = line " " k "=" s[k]; print line }' \
    "$out/truth.txt" > "$out/mix.txt"
cat "$out/mix.txt"
