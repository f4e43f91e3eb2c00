#!/bin/bash
# The agent's memory during a query storm: a packaged agent (bin/daxguard run, the launcher's JVM options) watching
# a loop-mounted fixture, and 1,000 Filesystem.resolve calls over JMX (one per block: 900 file-data blocks, 40
# inode-table blocks, 30 directory blocks, 30 free blocks), the agent's VmRSS read every 100 calls, VmHWM at the end.
#
# usage: memory-storm.sh <daxguard home (unpacked tarball)> <ext4 or xfs image from make-fixture.sh>
# Environment: DAXGUARD_JAVA_OPTS is passed to the launcher (e.g. to compare with the JVM's default sizing);
# DAXGUARD_STORM_LOG, DAXGUARD_STORM_RANGES, DAXGUARD_STORM_HISTOGRAM: files to keep the agent's log, the query set
# and its heap's class histogram after the storm (jcmd GC.class_histogram: a full GC first; and the native memory
# summary when DAXGUARD_JAVA_OPTS has -XX:NativeMemoryTracking=summary) in.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
. "$BENCH_DIR/lib/common.sh"
[ $# -eq 2 ] || bench_die "usage: memory-storm.sh <daxguard home> <image>"
home=$(cd "$1" && pwd) image=$2
bench_require_root
bench_require_tools losetup mount dumpe2fs debugfs awk java
bench_init
bench_tmpdir; work=$BENCH_TMP
mkdir -p "$work/watched" "$work/state"
bench_attach_and_mount "$image" "$work/watched/fs" ro
mnt=$work/watched/fs
[ "$(bench_fstype "$mnt")" = ext4 ] || bench_die "the query mix is ext4's (inode tables from dumpe2fs)"
bs=$(stat -f -c %S "$mnt")

# The query set: file-data blocks from pick-ranges.sh, the rest from dumpe2fs and debugfs.
"$BENCH_DIR/pick-ranges.sh" "$mnt" 900 1 > "$work/ranges"
dumpe2fs "$BENCH_LOOP" 2>/dev/null > "$work/dumpe2fs"
awk -v bs="$bs" '/Inode table at/ { split($4, r, "-"); if (k < 40) { printf "%.0f %d\n", (r[1] + k * 7) * bs, bs; k++ } }' \
    "$work/dumpe2fs" >> "$work/ranges"
awk -v bs="$bs" '/^  Free blocks: [0-9]/ { split($3, r, "-"); sub(",", "", r[1]); if (k < 30) { printf "%.0f %d\n", r[1] * bs, bs; k++ } }' \
    "$work/dumpe2fs" >> "$work/ranges"
find "$mnt" -mindepth 1 -type d > "$work/dirs"
head -30 "$work/dirs" | while read -r dir; do
    debugfs -R "blocks ${dir#"$mnt"}" "$BENCH_LOOP" 2>/dev/null | awk -v bs="$bs" '{ printf "%.0f %d\n", $1 * bs, bs }'
done >> "$work/ranges"
echo "queries: $(wc -l < "$work/ranges")"

port=$((20000 + RANDOM % 20000))
cat > "$work/daxguard.yaml" <<EOF
stateDirectory: $work/state
watch: [$work/watched]
sources: {trace: false, kmsg: false, badblocks: false}
jmx:
  remote: {enabled: true, bindAddress: 127.0.0.1, port: $port, authenticate: false, allowInsecure: true}
EOF
"$home/bin/daxguard" run --config "$work/daxguard.yaml" > "$work/agent.log" 2>&1 &
agent=$!
# The agent stops on SIGTERM (its ledger flushed) before its mount is undone; wait's status is the signal's.
trap 'kill "$agent" 2>/dev/null || true; wait "$agent" 2>/dev/null || true; bench_cleanup' EXIT
url="service:jmx:rmi:///jndi/rmi://127.0.0.1:$port/jmxrmi"
java "$BENCH_DIR/lib/ResolveStorm.java" "$url" "$mnt" "$work/ranges" "$agent" || { tail -20 "$work/agent.log"; exit 1; }
if [ -n "${DAXGUARD_STORM_HISTOGRAM:-}" ]; then
    { jcmd "$agent" GC.class_histogram | head -40; jcmd "$agent" VM.native_memory summary 2>/dev/null || true; } \
        > "$DAXGUARD_STORM_HISTOGRAM"
fi
[ -z "${DAXGUARD_STORM_LOG:-}" ] || cp "$work/agent.log" "$DAXGUARD_STORM_LOG"
[ -z "${DAXGUARD_STORM_RANGES:-}" ] || cp "$work/ranges" "$DAXGUARD_STORM_RANGES"
echo "JVM: $(tr '\0' ' ' < "/proc/$agent/cmdline" | cut -c1-400)"
