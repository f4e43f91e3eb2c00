#!/usr/bin/env bash
# A full scrub of a packaged, running agent (started over JMX, as jconsole or a vendor's tool starts it) against
# `dd bs=1M iflag=direct` of the whole device, alternating in the same run (docs/PERFORMANCE.md).
#
# usage: scrub-interfaces.sh [--rounds N] [--warm] [--home DIR] (--image IMAGE | --large FILES MIB)
#   --image IMAGE       an image of make-fixture.sh (the 200k-file XFS or ext4), attached and mounted read-only
#   --large FILES MIB   an XFS made here of FILES files of MIB MiB each (the large-file fixture), on a sparse image
#                       under /var/tmp sized to hold them plus 512 MiB
#   --rounds N          dd and scrub N times each, alternating (default 3); medians and bests printed
#   --warm              do not drop the page cache before each read (by default every dd and every scrub starts cold:
#                       the loop device reads its backing file from the disk, as a scrub of a real device does)
#   --home DIR          a daxguard installation (default: dist/target/daxguard of this tree)
# The agent holds only this filesystem, its scrub rate limit set far above the device (an unthrottled scrub).
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
. "$BENCH_DIR/lib/common.sh"
rounds=3 cold=1 home=$BENCH_DIR/../dist/target/daxguard image= large_files= large_mib=
while [ $# -gt 0 ]; do
    case $1 in
        --rounds) rounds=$2; shift 2 ;;
        --warm) cold=0; shift ;;
        --home) home=$2; shift 2 ;;
        --image) image=$2; shift 2 ;;
        --large) large_files=$2 large_mib=$3; shift 3 ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) bench_die "unknown argument $1" ;;
    esac
done
[ -n "$image" ] || [ -n "$large_files" ] || bench_die "give --image IMAGE or --large FILES MIB"
bench_require_root
bench_require_tools java losetup mount umount dd blockdev mkfs.xfs findmnt awk
daxguard=$home/bin/daxguard
[ -x "$daxguard" ] || bench_die "no daxguard installation at $home (give --home DIR, or build: mvn -B -q install -DskipTests)"

bench_init
bench_tmpdir
watch=$BENCH_TMP/watch mnt=$BENCH_TMP/watch/fs state=$BENCH_TMP/state client=$BENCH_TMP/client
mkdir -p -- "$watch" "$state" "$client"
javac -d "$client" "$BENCH_DIR/src/main/java/io/daxguard/bench/ScrubClient.java"
scrub_client() { java -cp "$client" io.daxguard.bench.ScrubClient "$@"; }

if [ -n "$large_files" ]; then
    image=$BENCH_TMP/large.img
    truncate -s $(( (large_files * large_mib + 512) * 1024 * 1024 )) "$image"
    mkfs.xfs -q "$image"
    bench_attach_and_mount "$image" "$mnt"
    for ((i = 0; i < large_files; i++)); do
        dd if=/dev/urandom of="$mnt/file$i" bs=1M count="$large_mib" conv=fsync status=none
    done
    fixture="large files: $large_files x $large_mib MiB, XFS"
else
    opts=ro
    [ "$(blkid -o value -s TYPE "$image" 2>/dev/null || true)" = xfs ] && opts=ro,nouuid
    bench_attach_and_mount "$image" "$mnt" "$opts"
    fixture="image $(basename "$image"), $(bench_fstype "$mnt")"
fi
dev=$BENCH_LOOP
device_mib=$(( $(blockdev --getsize64 "$dev") >> 20 ))

port=$((20000 + $$ % 20000))
cat > "$BENCH_TMP/daxguard.yaml" <<EOF
watch: [$watch]
sources: {trace: false, kmsg: false, badblocks: false}
scrub: {bytesPerSecond: 1099511627776}
jmx:
  remote: {enabled: true, bindAddress: 127.0.0.1, port: $port, authenticate: false, allowInsecure: true, anonymousRole: control}
EOF
url=service:jmx:rmi:///jndi/rmi://127.0.0.1:$port/jmxrmi
"$daxguard" run --config "$BENCH_TMP/daxguard.yaml" --state-dir "$state" > "$BENCH_TMP/agent.log" 2>&1 &
AGENT_PID=$!
trap 'rc=$?; trap - EXIT; [ -n "${AGENT_PID:-}" ] && kill "$AGENT_PID" 2>/dev/null && wait "$AGENT_PID" 2>/dev/null; bench_cleanup; exit $rc' EXIT
scrub_client held "$url" "$mnt" 300 || { cat "$BENCH_TMP/agent.log" >&2; bench_die "the agent did not hold $mnt"; }

time_dd() {
    local t0 t1
    [ $cold -eq 1 ] && bench_drop_caches
    t0=$(bench_now)
    dd if="$dev" of=/dev/null bs=1M count="$device_mib" iflag=direct status=none
    t1=$(bench_now)
    bench_elapsed "$t0" "$t1"
}
agent_cpu_ticks() { awk '{ print $14, $15 }' "/proc/$AGENT_PID/stat"; }   # user, system
time_scrub() {
    local before after line
    [ $cold -eq 1 ] && bench_drop_caches
    before=$(agent_cpu_ticks)
    line=$(scrub_client scrub "$url" "$mnt") || { echo "$line"; return 1; }
    after=$(agent_cpu_ticks)
    echo "$line $(awk -v b="$before" -v a="$after" -v hz="$(getconf CLK_TCK)" 'BEGIN { split(b, x, " "); split(a, y, " ")
        printf "agent_cpu_s=%.2f agent_user_s=%.2f agent_system_s=%.2f", (y[1] + y[2] - x[1] - x[2]) / hz, (y[1] - x[1]) / hz, (y[2] - x[2]) / hz }')"
}
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
best() { tr ' ' '\n' | grep . | sort -g | head -n 1; }

dds= scrubs= cpus= line=
for ((r = 0; r < rounds; r++)); do
    dds+=" $(time_dd)"
    line=$(time_scrub) || { echo "$line" >&2; bench_die "the scrub did not finish clean"; }
    echo "round $r: dd_s=${dds##* } $line" >&2
    scrubs+=" $(printf '%s\n' "$line" | sed -n 's/.*scrub_s=\([0-9.]*\).*/\1/p')"
    cpus+=" $(printf '%s\n' "$line" | sed -n 's/.*agent_cpu_s=\([0-9.]*\).*/\1/p')"
done
kill "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null || true
AGENT_PID=
dd_median=$(echo "$dds" | median) scrub_median=$(echo "$scrubs" | median)
echo "fixture=\"$fixture\" device_mib=$device_mib cold=$cold rounds=$rounds load=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
echo "last_scrub: $line"
echo "dd_s=[${dds# }] median=$dd_median best=$(echo "$dds" | best)"
echo "scrub_s=[${scrubs# }] median=$scrub_median best=$(echo "$scrubs" | best)"
echo "scrub/dd medians=$(awk -v a="$scrub_median" -v b="$dd_median" 'BEGIN { printf "%.2f", a / b }') (<= 1.00 is the target)"
echo "agent_cpu_s per scrub (user+system, every agent thread)=[${cpus# }]"
