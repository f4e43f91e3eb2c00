#!/usr/bin/env bash
# Scrub throughput against dd iflag=direct on a healthy loop device, same bytes, same run (see
# docs/PERFORMANCE.md). Needs root, losetup, mkfs.xfs. Usage: bench/scrub-vs-dd.sh [files] [MiB per file]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -o -Pbench -pl bench -am package -DskipTests
exec java -cp "$(cat bench/target/classpath.txt):bench/target/classes" io.daxguard.bench.ScrubThroughput "$@"
