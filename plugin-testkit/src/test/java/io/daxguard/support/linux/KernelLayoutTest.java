package io.daxguard.support.linux;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.testkit.CLayoutProbe;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The offsets, sizes and ioctl numbers the wrappers decode with equal what the C compiler makes of the system
 * headers. Each test compares one structure, name by name, so a failure shows exactly which constant is wrong.
 */
class KernelLayoutTest {
    /**
     * {@code struct fsuuid2} and {@code FS_IOC_GETFSUUID} arrived in the Linux 6.5 headers; with older
     * {@code linux-libc-dev} the probe declares them as {@code include/uapi/linux/fs.h} does, which still checks
     * the size and the {@code _IOR} encoding.
     */
    private static final String FSUUID2_FALLBACK = """
            #ifndef FS_IOC_GETFSUUID
            struct fsuuid2 { __u8 len; __u8 uuid[16]; };
            #define FS_IOC_GETFSUUID _IOR(0x15, 0, struct fsuuid2)
            #endif
            """;

    /**
     * {@code struct fsuuid} and {@code EXT4_IOC_GETFSUUID} are not in the uapi headers: ext4 declares them in
     * {@code fs/ext4/ext4.h} (Linux 6.0), copied here as written there, which checks the layout and the {@code _IOR}
     * encoding; that the kernel agrees is {@code FilesystemUuidTest}'s, on a real ext4.
     */
    private static final String EXT4_FSUUID = """
            #ifndef EXT4_IOC_GETFSUUID
            struct fsuuid { __u32 fsu_len; __u32 fsu_flags; __u8 fsu_uuid[]; };
            #define EXT4_IOC_GETFSUUID _IOR('f', 44, struct fsuuid)
            #endif
            """;

    /**
     * {@code EXT4_IOC_SHUTDOWN} and its flags are in the uapi {@code linux/ext4.h} since Linux 6.8 (before, in
     * {@code fs/ext4/ext4.h}); with older {@code linux-libc-dev} the probe declares them as that header does, which
     * still checks the {@code _IOR} encoding. Included before {@link #EXT4_FSUUID}, which it then makes unnecessary.
     */
    private static final String EXT4_SHUTDOWN = """
            #if __has_include(<linux/ext4.h>)
            #include <linux/ext4.h>
            #else
            #define EXT4_IOC_SHUTDOWN _IOR('X', 125, __u32)
            #define EXT4_GOING_FLAGS_LOGFLUSH 0x1
            #endif
            """;

    /**
     * {@code stx_subvol} and {@code STATX_SUBVOL} are in {@code linux/stat.h} from Linux 6.10; an older header has the
     * spare area there instead ({@code __spare3}, whose first word stx_subvol became), so on it the offset is checked
     * against the spare area's and the flag's value as the 6.10 header writes it.
     */
    private static final String STATX_SUBVOL_FALLBACK = """
            #include <stddef.h>
            #ifdef STATX_SUBVOL
            #define DAXGUARD_STX_SUBVOL_OFFSET offsetof(struct statx, stx_subvol)
            #define DAXGUARD_STATX_SUBVOL STATX_SUBVOL
            #else
            #define DAXGUARD_STX_SUBVOL_OFFSET offsetof(struct statx, __spare3)
            #define DAXGUARD_STATX_SUBVOL 0x00008000U
            #endif
            """;

    private static Map<String, Long> c;

    @BeforeAll
    static void askTheCompiler() throws IOException {
        c = CLayoutProbe.including("<linux/types.h>", "<linux/fs.h>", "<linux/fsmap.h>", "<linux/fiemap.h>",
                        "<sys/ioctl.h>", "<sys/stat.h>", "<sys/vfs.h>", "<dirent.h>", "<poll.h>", "<linux/openat2.h>",
                        "<sys/fanotify.h>", "<fcntl.h>")
                .declaring(FSUUID2_FALLBACK)
                .declaring(EXT4_SHUTDOWN)
                .declaring(EXT4_FSUUID)
                .declaring(STATX_SUBVOL_FALLBACK)
                .value("statx.stx_subvol", "DAXGUARD_STX_SUBVOL_OFFSET")
                .value("STATX_SUBVOL", "DAXGUARD_STATX_SUBVOL")
                .value("FIFREEZE", "FIFREEZE")
                .value("FITHAW", "FITHAW")
                .value("EXT4_IOC_SHUTDOWN", "EXT4_IOC_SHUTDOWN")
                .value("EXT4_GOING_FLAGS_LOGFLUSH", "EXT4_GOING_FLAGS_LOGFLUSH")
                .value("FS_IOC_GETFSMAP", "FS_IOC_GETFSMAP")
                .sizeOf("fsmap_head").sizeOf("fsmap")
                .offsetOf("fsmap_head", "fmh_iflags", "fmh_count", "fmh_entries", "fmh_keys", "fmh_recs")
                .offsetOf("fsmap", "fmr_device", "fmr_flags", "fmr_physical", "fmr_owner", "fmr_offset", "fmr_length")
                .value("FS_IOC_FIEMAP", "FS_IOC_FIEMAP")
                .sizeOf("fiemap").sizeOf("fiemap_extent")
                .offsetOf("fiemap", "fm_start", "fm_length", "fm_flags", "fm_mapped_extents", "fm_extent_count",
                        "fm_extents")
                .offsetOf("fiemap_extent", "fe_logical", "fe_physical", "fe_length", "fe_flags")
                .sizeOf("statx")
                .sizeOf("open_how")
                .offsetOf("open_how", "flags", "mode", "resolve")
                .value("MAX_HANDLE_SZ", "MAX_HANDLE_SZ")
                .value("AT_EMPTY_PATH", "AT_EMPTY_PATH")
                .offsetOf("statx", "stx_nlink", "stx_uid", "stx_mode", "stx_ino", "stx_size", "stx_rdev_major",
                        "stx_rdev_minor", "stx_dev_major", "stx_dev_minor", "stx_mnt_id")
                .value("STATX_MNT_ID", "STATX_MNT_ID")
                .sizeOf("statfs")
                .offsetOf("statfs", "f_type", "f_bsize", "f_blocks", "f_bfree", "f_files", "f_ffree")
                .value("FS_IOC_GETFSUUID", "FS_IOC_GETFSUUID")
                .sizeOf("fsuuid2")
                .offsetOf("fsuuid2", "len", "uuid")
                .value("EXT4_IOC_GETFSUUID", "EXT4_IOC_GETFSUUID")
                .sizeOf("fsuuid")
                .offsetOf("fsuuid", "fsu_len", "fsu_flags", "fsu_uuid")
                .value("FS_IOC_GETVERSION", "FS_IOC_GETVERSION")
                .offsetOf("dirent64", "d_ino", "d_off", "d_reclen", "d_type", "d_name")
                .sizeOf("pollfd")
                .offsetOf("pollfd", "fd", "events", "revents")
                .value("POLLPRI", "POLLPRI")
                .sizeOf("fanotify_event_metadata")
                .offsetOf("fanotify_event_metadata", "event_len", "metadata_len", "mask", "pid")
                .sizeOf("fanotify_event_info_header")
                .offsetOf("fanotify_event_info_header", "info_type", "len")
                .offsetOf("fanotify_event_info_fid", "hdr", "fsid", "handle")
                .sizeOf("file_handle")
                .offsetOf("file_handle", "handle_bytes", "handle_type", "f_handle")
                .run();
    }

    @Test
    void getfsmapMatchesLinuxFsmapHeader() {
        assertThat(java(
                "FS_IOC_GETFSMAP", Getfsmap.FS_IOC_GETFSMAP,
                "sizeof fsmap_head", Getfsmap.HEAD_SIZE,
                "sizeof fsmap", Getfsmap.RECORD_SIZE,
                "fsmap_head.fmh_iflags", Getfsmap.OFFSET_IFLAGS,
                "fsmap_head.fmh_count", Getfsmap.OFFSET_COUNT,
                "fsmap_head.fmh_entries", Getfsmap.OFFSET_ENTRIES,
                "fsmap_head.fmh_keys", Getfsmap.OFFSET_KEYS,
                "fsmap_head.fmh_recs", Getfsmap.OFFSET_RECORDS,
                "fsmap.fmr_device", Getfsmap.FIELD_DEVICE,
                "fsmap.fmr_flags", Getfsmap.FIELD_FLAGS,
                "fsmap.fmr_physical", Getfsmap.FIELD_PHYSICAL,
                "fsmap.fmr_owner", Getfsmap.FIELD_OWNER,
                "fsmap.fmr_offset", Getfsmap.FIELD_OFFSET,
                "fsmap.fmr_length", Getfsmap.FIELD_LENGTH))
                .isEqualTo(fromC("FS_IOC_GETFSMAP", "sizeof fsmap_head", "sizeof fsmap", "fsmap_head.", "fsmap."));
    }

    @Test
    void fiemapMatchesLinuxFiemapHeader() {
        assertThat(java(
                "FS_IOC_FIEMAP", Fiemap.FS_IOC_FIEMAP,
                "sizeof fiemap", Fiemap.HEAD_SIZE,
                "sizeof fiemap_extent", Fiemap.EXTENT_SIZE,
                "fiemap.fm_start", Fiemap.OFFSET_START,
                "fiemap.fm_length", Fiemap.OFFSET_LENGTH,
                "fiemap.fm_flags", Fiemap.OFFSET_FLAGS,
                "fiemap.fm_mapped_extents", Fiemap.OFFSET_MAPPED,
                "fiemap.fm_extent_count", Fiemap.OFFSET_COUNT,
                "fiemap.fm_extents", Fiemap.HEAD_SIZE,
                "fiemap_extent.fe_logical", Fiemap.FIELD_LOGICAL,
                "fiemap_extent.fe_physical", Fiemap.FIELD_PHYSICAL,
                "fiemap_extent.fe_length", Fiemap.FIELD_LENGTH,
                "fiemap_extent.fe_flags", Fiemap.FIELD_FLAGS))
                .isEqualTo(fromC("FS_IOC_FIEMAP", "sizeof fiemap", "sizeof fiemap_extent", "fiemap.",
                        "fiemap_extent."));
    }

    @Test
    void fanotifyEventMatchesLinuxFanotifyHeader() {
        assertThat(java(
                "sizeof fanotify_event_metadata", FilesystemChanges.EVENT_METADATA_SIZE,
                "fanotify_event_metadata.event_len", FilesystemChanges.EVENT_OFFSET_LEN,
                "fanotify_event_metadata.metadata_len", FilesystemChanges.EVENT_OFFSET_METADATA_LEN,
                "fanotify_event_metadata.mask", FilesystemChanges.EVENT_OFFSET_MASK,
                "fanotify_event_metadata.pid", FilesystemChanges.EVENT_OFFSET_PID))
                .isEqualTo(fromC("sizeof fanotify_event_metadata", "fanotify_event_metadata."));
    }

    @Test
    void fanotifyFidRecordAndFileHandleMatchTheirHeaders() {
        assertThat(java(
                "sizeof fanotify_event_info_header", 4,
                "fanotify_event_info_header.info_type", FilesystemChanges.INFO_OFFSET_TYPE,
                "fanotify_event_info_header.len", FilesystemChanges.INFO_OFFSET_LEN,
                "fanotify_event_info_fid.hdr", 0,
                "fanotify_event_info_fid.fsid", 4,
                "fanotify_event_info_fid.handle", FilesystemChanges.FID_OFFSET_HANDLE,
                "sizeof file_handle", FileHandle.HEADER_SIZE,
                "file_handle.handle_bytes", FileHandle.OFFSET_BYTES,
                "file_handle.handle_type", FileHandle.OFFSET_TYPE,
                "file_handle.f_handle", FileHandle.HEADER_SIZE))
                .isEqualTo(fromC("sizeof fanotify_event_info_header", "fanotify_event_info_header.",
                        "fanotify_event_info_fid.", "sizeof file_handle", "file_handle."));
    }

    @Test
    void fileStatusMatchesStatxOfSysStat() {
        assertThat(java(
                "sizeof statx", FileStatus.SIZE,
                "statx.stx_nlink", FileStatus.OFFSET_NLINK,
                "statx.stx_uid", FileStatus.OFFSET_UID,
                "statx.stx_mode", FileStatus.OFFSET_MODE,
                "statx.stx_ino", FileStatus.OFFSET_INO,
                "statx.stx_size", FileStatus.OFFSET_SIZE,
                "statx.stx_rdev_major", FileStatus.OFFSET_RDEV_MAJOR,
                "statx.stx_rdev_minor", FileStatus.OFFSET_RDEV_MINOR,
                "statx.stx_dev_major", FileStatus.OFFSET_DEV_MAJOR,
                "statx.stx_dev_minor", FileStatus.OFFSET_DEV_MINOR,
                "statx.stx_mnt_id", FileStatus.OFFSET_MNT_ID,
                "statx.stx_subvol", FileStatus.OFFSET_SUBVOL,
                "STATX_MNT_ID", FileStatus.STATX_MNT_ID,
                "STATX_SUBVOL", FileStatus.STATX_SUBVOL))
                .isEqualTo(fromC("sizeof statx", "statx.", "STATX_MNT_ID", "STATX_SUBVOL"));
    }

    @Test
    void beneathMatchesOpenHowOfLinuxOpenat2() {
        assertThat(java(
                "sizeof open_how", Beneath.HOW_SIZE,
                "open_how.flags", Beneath.OFFSET_FLAGS,
                "open_how.mode", Beneath.OFFSET_MODE,
                "open_how.resolve", Beneath.OFFSET_RESOLVE))
                .isEqualTo(fromC("sizeof open_how", "open_how."));
    }

    @Test
    void fileHandleOfANameUsesTheLargestHandleAndEmptyPathOfFcntlH() {
        assertThat(java(
                "MAX_HANDLE_SZ", FileHandle.MAX_BYTES,
                "AT_EMPTY_PATH", LibC.AT_EMPTY_PATH))
                .isEqualTo(fromC("MAX_HANDLE_SZ", "AT_EMPTY_PATH"));
    }

    @Test
    void filesystemStatsMatchesStatfsOfSysVfs() {
        assertThat(java(
                "sizeof statfs", FilesystemStats.SIZE,
                "statfs.f_type", FilesystemStats.OFFSET_TYPE,
                "statfs.f_bsize", FilesystemStats.OFFSET_BSIZE,
                "statfs.f_blocks", FilesystemStats.OFFSET_BLOCKS,
                "statfs.f_bfree", FilesystemStats.OFFSET_BFREE,
                "statfs.f_files", InodeCounts.OFFSET_FILES,
                "statfs.f_ffree", InodeCounts.OFFSET_FFREE))
                .isEqualTo(fromC("sizeof statfs", "statfs."));
    }

    @Test
    void filesystemUuidMatchesFsuuid2OfLinuxFs() {
        assertThat(java(
                "FS_IOC_GETFSUUID", FilesystemUuid.FS_IOC_GETFSUUID,
                "sizeof fsuuid2", FilesystemUuid.SIZE,
                "fsuuid2.len", 0,
                "fsuuid2.uuid", 1))
                .isEqualTo(fromC("FS_IOC_GETFSUUID", "sizeof fsuuid2", "fsuuid2."));
    }

    @Test
    void ext4FilesystemUuidMatchesFsuuidOfExt4H() {
        assertThat(java(
                "EXT4_IOC_GETFSUUID", FilesystemUuid.EXT4_IOC_GETFSUUID,
                "sizeof fsuuid", FilesystemUuid.EXT4_HEADER_SIZE,
                "fsuuid.fsu_len", FilesystemUuid.EXT4_OFFSET_LEN,
                "fsuuid.fsu_flags", FilesystemUuid.EXT4_OFFSET_FLAGS,
                "fsuuid.fsu_uuid", FilesystemUuid.EXT4_HEADER_SIZE))
                .isEqualTo(fromC("EXT4_IOC_GETFSUUID", "sizeof fsuuid", "fsuuid."));
    }

    @Test
    void freezeAndThawUseTheIoctlsOfLinuxFs() {
        assertThat(java(
                "FIFREEZE", FilesystemControl.FIFREEZE,
                "FITHAW", FilesystemControl.FITHAW))
                .isEqualTo(fromC("FIFREEZE", "FITHAW"));
    }

    @Test
    void ext4ShutdownUsesTheIoctlAndFlagOfExt4H() {
        assertThat(java(
                "EXT4_IOC_SHUTDOWN", FilesystemControl.EXT4_IOC_SHUTDOWN,
                "EXT4_GOING_FLAGS_LOGFLUSH", FilesystemControl.EXT4_GOING_FLAGS_LOGFLUSH))
                .isEqualTo(fromC("EXT4_IOC_SHUTDOWN", "EXT4_GOING_FLAGS_LOGFLUSH"));
    }

    /** {@code xfs_fs.h} (xfslibs-dev) relies on the types {@code xfs.h} sets up; a probe of its own. */
    @Test
    void xfsShutdownUsesTheIoctlAndFlagOfXfsFsH() throws IOException {
        Map<String, Long> xfs = CLayoutProbe.including("<linux/fsmap.h>", "<xfs/xfs.h>", "<xfs/xfs_fs.h>")
                .value("XFS_IOC_GOINGDOWN", "XFS_IOC_GOINGDOWN")
                .value("XFS_FSOP_GOING_FLAGS_LOGFLUSH", "XFS_FSOP_GOING_FLAGS_LOGFLUSH")
                .value("XFS_IOC_FREEZE", "XFS_IOC_FREEZE")
                .value("XFS_IOC_THAW", "XFS_IOC_THAW")
                .run();

        assertThat(java(
                "XFS_IOC_GOINGDOWN", FilesystemControl.XFS_IOC_GOINGDOWN,
                "XFS_FSOP_GOING_FLAGS_LOGFLUSH", FilesystemControl.XFS_FSOP_GOING_FLAGS_LOGFLUSH,
                "XFS_IOC_FREEZE", FilesystemControl.FIFREEZE,
                "XFS_IOC_THAW", FilesystemControl.FITHAW))
                .isEqualTo(xfs);
    }

    @Test
    void fileGenerationUsesTheGetversionOfLinuxFs() {
        assertThat(FileGeneration.FS_IOC_GETVERSION).isEqualTo(c.get("FS_IOC_GETVERSION"));
    }

    @Test
    void directoryWalkMatchesDirent64() {
        assertThat(java(
                "dirent64.d_ino", DirectoryWalk.OFFSET_INO,
                "dirent64.d_off", 8,
                "dirent64.d_reclen", DirectoryWalk.OFFSET_RECLEN,
                "dirent64.d_type", DirectoryWalk.OFFSET_TYPE,
                "dirent64.d_name", DirectoryWalk.OFFSET_NAME))
                .isEqualTo(fromC("dirent64."));
    }

    @Test
    void pollMatchesPollfdOfPollH() {
        assertThat(java(
                "POLLPRI", Poll.POLLPRI,
                "sizeof pollfd", Poll.POLLFD_SIZE,
                "pollfd.fd", Poll.OFFSET_FD,
                "pollfd.events", Poll.OFFSET_EVENTS,
                "pollfd.revents", Poll.OFFSET_REVENTS))
                .isEqualTo(fromC("POLLPRI", "sizeof pollfd", "pollfd."));
    }

    /** Alternating names and values, in a map that compares with {@link #fromC}. */
    private static Map<String, Long> java(Object... namesAndValues) {
        Map<String, Long> values = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            values.put((String) namesAndValues[i], ((Number) namesAndValues[i + 1]).longValue());
        }
        return values;
    }

    /** The compiler's values whose names equal or start with one of the given names or prefixes. */
    private static Map<String, Long> fromC(String... namesOrPrefixes) {
        Map<String, Long> values = new LinkedHashMap<>();
        c.forEach((name, value) -> {
            for (String wanted : namesOrPrefixes) {
                if (wanted.endsWith(".") ? name.startsWith(wanted) : name.equals(wanted)) {
                    values.put(name, value);
                }
            }
        });
        return values;
    }
}
