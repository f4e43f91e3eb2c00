# Shared helpers for the daxguard benchmark scripts. Sourced, not executed.
#
# Cleanup discipline: every loop device and mount point a script creates is recorded here, and
# bench_cleanup (installed as an EXIT trap by bench_init) undoes exactly those, in reverse order.
# Nothing else is ever unmounted or detached.

BENCH_LOOPS=()
BENCH_MOUNTS=()
BENCH_TMPDIRS=()

bench_die() { echo "$(basename "$0"): $*" >&2; exit 1; }

bench_now() { date +%s.%N; }

# bench_elapsed <start> <end>: seconds with millisecond precision
bench_elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

bench_require_root() { [ "$(id -u)" -eq 0 ] || bench_die "must run as root (loop devices, mount, drop_caches, GETFSMAP owners)"; }

bench_require_tools() {
    local t
    for t in "$@"; do command -v "$t" >/dev/null 2>&1 || bench_die "missing tool: $t"; done
}

bench_cleanup() {
    local i
    for ((i = ${#BENCH_MOUNTS[@]} - 1; i >= 0; i--)); do
        if mountpoint -q "${BENCH_MOUNTS[i]}"; then
            umount "${BENCH_MOUNTS[i]}" || umount -l "${BENCH_MOUNTS[i]}" || echo "cleanup: could not unmount ${BENCH_MOUNTS[i]}" >&2
        fi
    done
    for ((i = ${#BENCH_LOOPS[@]} - 1; i >= 0; i--)); do
        losetup -d "${BENCH_LOOPS[i]}" 2>/dev/null || echo "cleanup: could not detach ${BENCH_LOOPS[i]}" >&2
    done
    for ((i = ${#BENCH_TMPDIRS[@]} - 1; i >= 0; i--)); do
        rm -rf -- "${BENCH_TMPDIRS[i]}"
    done
    BENCH_MOUNTS=() BENCH_LOOPS=() BENCH_TMPDIRS=()
}

bench_init() {
    trap 'rc=$?; trap - EXIT; bench_cleanup; exit $rc' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# bench_tmpdir: sets BENCH_TMP to a fresh temporary directory that cleanup removes. Call it in the
# main shell, never in $(...): the record of what to remove must live in the shell that cleans up.
# Under /var/tmp (BENCH_TMPDIR to change it), not /tmp: the project's test agents watch java.io.tmpdir (/tmp), so
# a fixture mounted there is held, opened and indexed by whatever test runs meanwhile (and cannot be unmounted).
bench_tmpdir() {
    BENCH_TMP=$(mktemp -d "${BENCH_TMPDIR:-/var/tmp}/daxbench.XXXXXX") || bench_die "mktemp failed"
    BENCH_TMPDIRS+=("$BENCH_TMP")
}

# bench_attach_and_mount <image> <mount-point> [mount options]: sets BENCH_LOOP to the loop device.
# Must run in the main shell (not in $(...)) so the recorded loop/mount survive for cleanup.
bench_attach_and_mount() {
    local image=$1 mnt=$2 opts=${3:-}
    BENCH_LOOP=$(losetup --find --show -- "$image") || bench_die "losetup failed for $image"
    BENCH_LOOPS+=("$BENCH_LOOP")
    mkdir -p -- "$mnt"
    if [ -n "$opts" ]; then
        mount -o "$opts" "$BENCH_LOOP" "$mnt" || bench_die "mount $BENCH_LOOP $mnt failed"
    else
        mount "$BENCH_LOOP" "$mnt" || bench_die "mount $BENCH_LOOP $mnt failed"
    fi
    BENCH_MOUNTS+=("$mnt")
}

# bench_unmount_all: orderly unmount/detach (same as cleanup, but reports errors as failures)
bench_unmount_all() {
    local i
    for ((i = ${#BENCH_MOUNTS[@]} - 1; i >= 0; i--)); do umount "${BENCH_MOUNTS[i]}" || bench_die "umount ${BENCH_MOUNTS[i]} failed"; done
    BENCH_MOUNTS=()
    for ((i = ${#BENCH_LOOPS[@]} - 1; i >= 0; i--)); do losetup -d "${BENCH_LOOPS[i]}" || bench_die "losetup -d ${BENCH_LOOPS[i]} failed"; done
    BENCH_LOOPS=()
}

bench_drop_caches() {
    sync
    echo 3 > /proc/sys/vm/drop_caches || bench_die "cannot drop caches (need root)"
}

# bench_fstype <mount-point>: the filesystem type mounted exactly there
bench_fstype() { findmnt -n -o FSTYPE --mountpoint "$1"; }

# bench_source <mount-point>: the device mounted exactly there
bench_source() { findmnt -n -o SOURCE --mountpoint "$1"; }
