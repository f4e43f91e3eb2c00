#!/usr/bin/env bash
# A full unthrottled scrub against dd bs=1M iflag=direct of the whole device, same run (see docs/PERFORMANCE.md).
# Needs root, losetup, mkfs.xfs. Usage:
#   bench/scrub-vs-dd.sh [files] [MiB per file]   an XFS made here with large files (default 16 x 64 MiB)
#   bench/scrub-vs-dd.sh --image IMAGE            an image of make-fixture.sh (e.g. the 200k-file XFS), loop
#                                                 attached and mounted read-only here, detached afterwards
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "scrub-vs-dd.sh: run as root (loop devices, mount, O_DIRECT reads of the device)" >&2; exit 1; }
for tool in java mvn losetup mkfs.xfs dd; do
    command -v "$tool" > /dev/null || { echo "scrub-vs-dd.sh: needs $tool (Debian: apt-get install openjdk-17-jdk-headless maven xfsprogs)" >&2; exit 1; }
done
mvn -q -B -o -Pbench -pl bench -am package -DskipTests
run() { java -cp "$(cat bench/target/classpath.txt):bench/target/classes" io.daxguard.bench.ScrubThroughput "$@"; }
if [ "${1:-}" = --image ]; then
    [ $# -eq 2 ] || { echo "usage: bench/scrub-vs-dd.sh --image IMAGE" >&2; exit 2; }
    source bench/lib/common.sh
    bench_require_root
    bench_init
    bench_tmpdir
    bench_attach_and_mount "$2" "$BENCH_TMP/mnt" ro
    run --mounted "$BENCH_TMP/mnt" "$BENCH_LOOP"
else
    run "$@"
fi
