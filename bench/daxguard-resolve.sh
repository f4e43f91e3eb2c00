#!/bin/bash
# The daxguard side of run-xfs.sh / run-ext4.sh (see README.md, "hook contract").
#   daxguard-resolve.sh <mount> <ranges-file> cold|warm
# Starts a fresh JVM with an agent (nothing cached), resolves every range (owners and paths) once, which is
# the cold figure (timed from JVM start), then five more passes with the agent warm (median). Prints the
# figure asked for, and checks the inodes it found against the peer's answer when the runner gives it.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$BENCH_DIR/.." && pwd)
mount=${1:?mount} ranges=${2:?ranges} mode=${3:?cold or warm}

for tool in java mvn; do
    command -v "$tool" > /dev/null || { echo "daxguard-resolve.sh: needs $tool (Debian: apt-get install openjdk-17-jdk-headless maven)" >&2; exit 1; }
done
classpath_file=$top/bench/target/classpath.txt
if [ ! -f "$classpath_file" ] || [ -n "$(find "$top" -path "$top/*/target" -prune -o -name '*.java' -newer "$classpath_file" -print -quit)" ]; then
    (cd "$top" && mvn -q -B -Pbench package -DskipTests) >&2
fi
answers=$(mktemp)
trap 'rm -f "$answers"' EXIT
out=$(java -cp "$(cat "$classpath_file"):$top/bench/target/classes" io.daxguard.bench.ResolveRanges \
    "$mount" "$ranges" "$answers")
echo "$out" >&2
if [ -n "${DAXGUARD_BENCH_PEER_PATHS:-}" ] && [ -f "$DAXGUARD_BENCH_PEER_PATHS" ]; then
    ours=$(awk '{print $2}' "$answers" | sort -u | wc -l)
    theirs=$(awk '{print $1}' "$DAXGUARD_BENCH_PEER_PATHS" | sort -u | wc -l)
    differ=$(comm -3 <(awk '{print $2}' "$answers" | sort -u) <(awk '{print $1}' "$DAXGUARD_BENCH_PEER_PATHS" | sort -u) | wc -l)
    echo "daxguard_inodes=$ours peer_inodes=$theirs inodes_differing=$differ" >&2
fi
echo "$out" | grep "^daxguard_${mode}_s="
