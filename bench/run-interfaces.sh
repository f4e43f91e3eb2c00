#!/bin/bash
# The benchmark through the interfaces users call: a running, packaged agent asked over JMX and the CLI, with a
# query mix of file, directory, metadata, free and (XFS) shared blocks, every answer checked against the
# filesystem's own tools, and the peers run in the same run.
#
# usage: run-interfaces.sh <xfs|ext4> [--files N] [--seed N] [--range-seed N] [--count N] [--repeat N]
#                          [--warmup N] [--passes N] [--home DIR] [--out DIR] [--rebuild] [--no-peers]
#
#   --files N       fixture size (default 200000; 2000000 is the scale fixture: ~26 GB written, 39 GiB image)
#   --seed N        fixture generator seed (default 42)
#   --range-seed N  query mix seed (default 1)
#   --count N       queries (default 1000: 900 file (XFS 850 + 50 shared), 30 directory, 40 metadata, 30 free)
#   --repeat N      warm peer runs and CLI runs; the median is reported (default 3)
#   --warmup N      untimed warm passes of each JMX client mode before the timed ones (default 40: fewer leave the
#                   batch path partly compiled, so warm figures read low)
#   --passes N      timed warm passes of each JMX client mode; the median is reported (default 7)
#   --home DIR      the daxguard installation: an unpacked daxguard-<version>.tar.gz, or dist/target/daxguard of
#                   a built tree (default: this tree's dist/target/daxguard; build it with
#                   `mvn -B -q install -DskipTests`)
#   --out DIR       images, query mixes and results (default bench/out, kept out of git)
#   --rebuild       rebuild the image even if one with the same stamp exists
#   --no-peers      skip the peers (the daxguard figures only)
#
# Steps:
#  1. build (bench/make-fixture.sh) or reuse the image; attach it and mount it read-only at WATCH/fs
#  2. the query mix and its ground truth (bench/lib/query-mix.sh: GETFSMAP via xfs_io, dumpe2fs, debugfs)
#  3. the peers, cold (sync; drop_caches) once and warm --repeat times: ext4 debugfs icheck + ncheck, XFS xfs_io
#     fsmap + find -inum, and on both the find -printf '%i %p' join in awk
#  4. agent A: `bin/daxguard run --config CONF --state-dir STATE` (CONF watches WATCH only, remote JMX on
#     127.0.0.1 without authentication): start-to-ready; cold: the JMX client connects, drops the caches and
#     calls Filesystem.resolve once per block (single_first_cold: the first calls the agent answers, its JIT
#     compiling the call path meanwhile; before each cold run the client makes 3,000 getAttribute round trips of
#     each kind to compile its own reply reading); warm: per-call passes, a getAttribute round trip per block on the
#     same connection (of Type, a String, and of Scrub, a CompositeData: the floor of any call answering one),
#     then single_cold: the same questions with the caches dropped again (only the page cache cold);
#     Filesystem.resolveRanges passes and Filesystem.resolveRangesAsColumns passes (the same batches answered as one
#     CompositeData of arrays), `daxguard resolve WATCH/fs --from QUERIES --json` runs;
#     the agent's VmHWM and VmRSS after the storm, and how often its log says it refreshed the index
#  5. agent B (same state directory: a restart): start-to-ready; cold resolveRanges (batch_first_cold: the first
#     batch after the restart); untimed warm batches of each form (the JIT); then batch_cold and columns_cold, each
#     with the caches dropped again
#  6. agent C (restart): start-to-ready; cold `daxguard resolve --from`
# Every answer of every client is checked against the truth (JmxQueries); a wrong answer fails the run at the
# end, after every figure is printed. Results: stdout and OUT/results-interfaces.txt.
#
# Needs (nothing is installed): root (loop devices, mount, drop_caches, GETFSMAP owners), a JDK 17 (java and
# javac: the JMX client is compiled from bench/src/main/java/io/daxguard/bench/JmxQueries.java, JDK classes
# only), xfsprogs (mkfs.xfs, xfs_io), e2fsprogs (mkfs.ext4, debugfs, dumpe2fs), perl, util-linux, findutils,
# coreutils, awk. On Debian: apt-get install openjdk-17-jdk-headless xfsprogs e2fsprogs.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$BENCH_DIR/.." && pwd)
. "$BENCH_DIR/lib/common.sh"

fstype=${1:-}
case $fstype in xfs|ext4) shift ;; -h|--help) sed -n '2,49p' "$0"; exit 0 ;; *) bench_die "first argument: xfs or ext4" ;; esac
files=200000 seed=42 range_seed=1 count=1000 repeat=3 warmup=40 passes=7 home=$top/dist/target/daxguard
out=$BENCH_DIR/out rebuild=0 peers=1
while [ $# -gt 0 ]; do
    case $1 in
        --files) files=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        --range-seed) range_seed=$2; shift 2 ;;
        --count) count=$2; shift 2 ;;
        --repeat) repeat=$2; shift 2 ;;
        --warmup) warmup=$2; shift 2 ;;
        --passes) passes=$2; shift 2 ;;
        --home) home=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --rebuild) rebuild=1; shift ;;
        --no-peers) peers=0; shift ;;
        -h|--help) sed -n '2,49p' "$0"; exit 0 ;;
        *) bench_die "unknown argument $1" ;;
    esac
done
bench_require_root
bench_require_tools java javac losetup mount umount findmnt awk find perl xfs_io debugfs dumpe2fs sync
daxguard=$home/bin/daxguard
[ -x "$daxguard" ] || bench_die "no daxguard installation at $home (give --home DIR, or build: mvn -B -q install -DskipTests)"

mkdir -p -- "$out"
out=$(cd "$out" && pwd)
name=$fstype-$files-s$seed
image=$out/$name.img
want_stamp=$("$BENCH_DIR/make-fixture.sh" --seed "$seed" --print-stamp "$fstype" "$image" "$files")

AGENT_PID=
stop_agent() {   # stop_agent: SIGTERM, as systemd stops it; waits for it to end
    [ -n "$AGENT_PID" ] || return 0
    kill -TERM "$AGENT_PID" 2> /dev/null || true
    wait "$AGENT_PID" 2> /dev/null || true
    AGENT_PID=
}
bench_init
trap 'rc=$?; trap - EXIT; stop_agent; bench_cleanup; exit $rc' EXIT

if [ $rebuild -eq 0 ] && [ -f "$image" ] && [ "$(cat "$image.stamp" 2>/dev/null)" = "$want_stamp" ]; then
    echo "reusing $image ($want_stamp)" >&2
else
    echo "building $image ($want_stamp)" >&2
    "$BENCH_DIR/make-fixture.sh" --force --seed "$seed" "$fstype" "$image" "$files" >&2
fi

bench_tmpdir
watch=$BENCH_TMP/watch mnt=$BENCH_TMP/watch/fs state=$BENCH_TMP/state client=$BENCH_TMP/client
mkdir -p -- "$watch" "$state" "$client"
javac -d "$client" "$BENCH_DIR/src/main/java/io/daxguard/bench/JmxQueries.java"
jmx() { java -cp "$client" io.daxguard.bench.JmxQueries "$@"; }
# nouuid: every fixture has the same fixed UUID, and XFS refuses to mount a second filesystem with a UUID
# already mounted (another fixture size being built or measured)
mount_opts=ro
[ "$fstype" = xfs ] && mount_opts=ro,nouuid
bench_attach_and_mount "$image" "$mnt" "$mount_opts"
dev=$BENCH_LOOP

mix=$out/mix-$name-r$range_seed-c$count
echo "query mix and ground truth in $mix" >&2
"$BENCH_DIR/lib/query-mix.sh" "$fstype" "$mnt" "$dev" "$count" "$range_seed" "$mix" >&2
queries=$mix/queries.txt truth=$mix/truth.txt paths=$mix/paths.txt

field() { sed -n "s/.*\\b$1=\\([0-9.]*\\).*/\\1/p" | tail -n 1; }    # field <key> < text
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b != "" && b > 0) printf "%.2f", a / b; else printf "n/a" }'; }
median_line() {  # median_line <key>: of the lines on stdin, the one whose <key> value is the median, + all values
    awk -v k="$1" '{ for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) v = substr($i, length(k) + 2)
                     line[NR] = $0; val[NR] = v + 0; all = all (NR > 1 ? "," : "") v }
        END { for (i = 1; i <= NR; i++) { r = 0; for (j = 1; j <= NR; j++) if (val[j] < val[i] || (val[j] == val[i] && j < i)) r++
                                          if (r == int((NR - 1) / 2)) m = i }
              print line[m] " runs_" k "=" all }'
}

result="run=$name interfaces queries=$(wc -l < "$queries") range_seed=$range_seed $(cat "$mix/mix.txt") home=$home"
wrong=0 failed=0

# ---- peers
declare -A peer_total
if [ $peers -eq 1 ]; then
    if [ "$fstype" = xfs ]; then variants=(inum join); else variants=(ncheck join); fi
    peer_once() {   # peer_once <variant> <cold|warm>
        local flag=()
        [ "$2" = cold ] && flag+=(--cold)
        [ "$1" = join ] && flag+=(--join)
        if [ "$fstype" = xfs ]; then
            "$BENCH_DIR/peer-xfs.sh" "${flag[@]}" --out "$mix/peer-$1-$2" "$mnt" "$queries"
        else
            "$BENCH_DIR/peer-ext4.sh" "${flag[@]}" --out "$mix/peer-$1-$2" "$dev" "$mnt" "$queries"
        fi
    }
    for v in "${variants[@]}"; do
        for mode in cold warm; do
            if [ $mode = cold ]; then line=$(peer_once "$v" cold | median_line peer_total_s)
            else line=$(for ((i = 0; i < repeat; i++)); do peer_once "$v" warm; done | median_line peer_total_s); fi
            peer_total[$v-$mode]=$(printf '%s\n' "$line" | field peer_total_s)
            result+=$'\n'"$line"
            echo "$line" >&2
        done
    done
fi

# ---- the agent, as installed
port=$((20000 + $$ % 20000))
cat > "$BENCH_TMP/daxguard.yaml" <<EOF
watch: [$watch]
jmx:
  remote:
    enabled: true
    bindAddress: 127.0.0.1
    port: $port
    authenticate: false
    allowInsecure: true
    anonymousRole: monitor
EOF
url=service:jmx:rmi:///jndi/rmi://127.0.0.1:$port/jmxrmi

start_agent() {  # start_agent <label>: launches it, waits until the filesystem's reverse map is ready
    local t0 ready
    t0=$(date +%s%3N)
    "$daxguard" run --config "$BENCH_TMP/daxguard.yaml" --state-dir "$state" > "$BENCH_TMP/agent-$1.log" 2>&1 &
    AGENT_PID=$!
    ready=$(jmx ready "$url" "$mnt" "$t0" 1800) || { cat "$BENCH_TMP/agent-$1.log" >&2; bench_die "agent $1 did not get ready"; }
    echo "$ready" >&2
    local status extents ms
    status=$(printf '%s\n' "$ready" | sed -n 's/^reverse_map_status=//p')
    extents=$(printf '%s\n' "$status" | sed -n 's/.* \([0-9,]*\) extents.*/\1/p' | tr -d ,)
    ms=$(printf '%s\n' "$status" | sed -n 's/.*built in \([0-9,]*\) ms.*/\1/p' | tr -d ,)
    result+=$'\n'"agent=$1 $(printf '%s\n' "$ready" | head -n 1) index_extents=${extents:-n/a} index_build_ms=${ms:-n/a}"
    result+=" index_extents_per_s=$(ratio "${extents:-}" "$(awk -v m="${ms:-0}" 'BEGIN { print m / 1000 }')")"
    result+=" status=\"$status\""
}
memory() {       # memory <label>: the agent's peak and current resident memory; index refreshes its log shows
    local refreshes
    refreshes=$(grep -c "refreshing the reverse-map index" "$BENCH_TMP/agent-$1.log" || true)
    result+=$'\n'"agent=$1 $(awk '/^VmHWM|^VmRSS/ { printf "%s_kib=%s ", $1, $2 }' "/proc/$AGENT_PID/status" | tr -d :)"
    result+="index_refreshes_logged=$refreshes"
    echo "${result##*$'\n'}" >&2
    cp -- "$BENCH_TMP/agent-$1.log" "$mix/agent-$1.log"
}
client() {       # client <mode> <label> <args...>: one JMX client run, its lines kept; a wrong answer counted
    local mode=$1 label=$2 lines rc=0
    shift 2
    lines=$(jmx "$mode" "$url" "$mnt" "$truth" "$paths" "$@") || rc=$?
    echo "$lines" >&2
    case $rc in
        0) ;;
        3) lines="batch_unavailable=1 (the agent has no Filesystem.resolveRanges)" ;;
        4) wrong=$((wrong + 1)) ;;
        *) failed=$((failed + 1)); lines="client_failed=1 exit=$rc (its error is above)" ;;
    esac
    result+=$'\n'"$label $(printf '%s\n' "$lines" | grep -v '^MISMATCH' | tr '\n' ' ')"
    CLIENT_LINES=$lines
}
cli_once() {     # cli_once <label>: daxguard resolve --from, timed (includes the command's JVM start), checked
    local t0 t1 rc=0 check
    t0=$(bench_now)
    "$daxguard" resolve "$mnt" --from "$queries" --json --url "$url" > "$BENCH_TMP/cli.json" 2> "$BENCH_TMP/cli.err" || rc=$?
    t1=$(bench_now)
    if [ $rc -ne 0 ]; then
        echo "cli=$1 cli_unavailable=1 exit=$rc $(head -c 300 "$BENCH_TMP/cli.err" | tr '\n' ' ')"
        return
    fi
    check=$(jmx check-json "$mnt" "$truth" "$paths" "$BENCH_TMP/cli.json") || { wrong=$((wrong + 1)); echo "$check" >&2; }
    echo "cli=$1 cli_s=$(bench_elapsed "$t0" "$t1") $(printf '%s\n' "$check" | grep -v '^MISMATCH' | tr '\n' ' ')"
}

# The JMX client compiles its own reading of replies before a cold run (getAttribute round trips of a String and of a
# CompositeData): a cold figure is the agent's and the page cache's, not this client JVM's JIT warm-up (a vendor's
# tool is a running JVM). The agent's answers to the measured questions are not warmed by it.
client_warmup=3000
# A: fresh state directory; one call per block: first cold (the first calls the agent ever answers, its JIT compiling
# the call path while they run), then warm (the passes also finish the JIT), then cold again (caches dropped again:
# only the page cache is cold, as its name says; taken right after the first cold pass, it was still half the JIT's)
start_agent first-start
client single single_first_cold 0 1 --drop-caches --client-warmup "$client_warmup"
single_first_cold=$(printf '%s\n' "$CLIENT_LINES" | field single_s)
client single single_warm "$warmup" "$passes" --baseline
single_warm=$(printf '%s\n' "$CLIENT_LINES" | field single_s)
per_call=$(printf '%s\n' "$CLIENT_LINES" | field single_per_query_us)
attribute=$(printf '%s\n' "$CLIENT_LINES" | field getattribute_per_call_us)
composite=$(printf '%s\n' "$CLIENT_LINES" | field getattribute_composite_per_call_us)
i_resolve=$(printf '%s\n' "$CLIENT_LINES" | field interleaved_resolve_us)
i_attribute=$(printf '%s\n' "$CLIENT_LINES" | field interleaved_getattribute_us)
i_composite=$(printf '%s\n' "$CLIENT_LINES" | field interleaved_getattribute_composite_us)
client single single_cold 0 1 --drop-caches --client-warmup "$client_warmup"
single_cold=$(printf '%s\n' "$CLIENT_LINES" | field single_s)
client batch batch_warm "$warmup" "$passes"
batch_warm=$(printf '%s\n' "$CLIENT_LINES" | field batch_s)
client columns columns_warm "$warmup" "$passes"
columns_warm=$(printf '%s\n' "$CLIENT_LINES" | field columns_s)
cli_lines=$(for ((i = 0; i < repeat; i++)); do cli_once warm; done)
echo "$cli_lines" >&2
if grep -q cli_unavailable <<< "$cli_lines"; then result+=$'\n'"$(head -n 1 <<< "$cli_lines")"; cli_warm=
else result+=$'\n'"$(median_line cli_s <<< "$cli_lines")"; cli_warm=$(median_line cli_s <<< "$cli_lines" | field cli_s); fi
memory first-start
stop_agent
# B: a restart; cold batch: the first batch after the restart (the JIT compiling, on ext4 the catch-up build
# running); then, after warm batches (untimed: the JIT's), cold again with the caches dropped again, of each form
start_agent restart-1
client batch batch_first_cold 0 1 --drop-caches --client-warmup "$client_warmup"
batch_first_cold=$(printf '%s\n' "$CLIENT_LINES" | field batch_s)
client batch batch_jit "$warmup" 1
client columns columns_jit "$warmup" 1
client batch batch_cold 0 1 --drop-caches --client-warmup "$client_warmup"
batch_cold=$(printf '%s\n' "$CLIENT_LINES" | field batch_s)
client columns columns_cold 0 1 --drop-caches --client-warmup "$client_warmup"
columns_cold=$(printf '%s\n' "$CLIENT_LINES" | field columns_s)
memory restart-1
stop_agent
# C: a restart; cold CLI
start_agent restart-2
bench_drop_caches
line=$(cli_once cold)
echo "$line" >&2
result+=$'\n'"$line"
cli_cold=$(printf '%s\n' "$line" | field cli_s)
memory restart-2
stop_agent

# ---- ratios: peer seconds / daxguard seconds (> 1: daxguard is faster)
r="ratios single_warm_over_getattribute=$(ratio "$per_call" "$attribute")"
r+=" getattribute_composite_over_getattribute=$(ratio "$composite" "$attribute")"
r+=" interleaved_resolve_over_getattribute=$(ratio "$i_resolve" "$i_attribute")"
r+=" interleaved_resolve_over_getattribute_composite=$(ratio "$i_resolve" "$i_composite")"
r+=" interleaved_getattribute_composite_over_getattribute=$(ratio "$i_composite" "$i_attribute")"
for k in "${!peer_total[@]}"; do
    v=${k%-*} mode=${k##*-}
    if [ $mode = cold ]; then
        r+=" peer_${v}_over_single_first_cold=$(ratio "${peer_total[$k]}" "$single_first_cold")"
        r+=" peer_${v}_over_single_cold=$(ratio "${peer_total[$k]}" "$single_cold")"
        r+=" peer_${v}_over_batch_first_cold=$(ratio "${peer_total[$k]}" "$batch_first_cold")"
        r+=" peer_${v}_over_batch_cold=$(ratio "${peer_total[$k]}" "$batch_cold")"
        r+=" peer_${v}_over_columns_cold=$(ratio "${peer_total[$k]}" "$columns_cold")"
        r+=" peer_${v}_over_cli_cold=$(ratio "${peer_total[$k]}" "$cli_cold")"
    else
        r+=" peer_${v}_over_single_warm=$(ratio "${peer_total[$k]}" "$single_warm")"
        r+=" peer_${v}_over_batch_warm=$(ratio "${peer_total[$k]}" "$batch_warm")"
        r+=" peer_${v}_over_columns_warm=$(ratio "${peer_total[$k]}" "$columns_warm")"
        r+=" peer_${v}_over_cli_warm=$(ratio "${peer_total[$k]}" "$cli_warm")"
    fi
done
result+=$'\n'"$r clients_with_wrong_answers=$wrong clients_failed=$failed"

# the figures first: an unmount that fails must not lose them
printf '%s\n' "$result"
{ echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -r) load=$(cut -d' ' -f1-3 /proc/loadavg) $want_stamp"
  printf '%s\n' "$result"; } >> "$out/results-interfaces.txt"
bench_unmount_all
[ $wrong -eq 0 ] || bench_die "$wrong client run(s) gave wrong answers (MISMATCH lines above)"
[ $failed -eq 0 ] || bench_die "$failed JMX client run(s) failed (errors above)"
