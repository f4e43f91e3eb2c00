package io.daxguard.support.linux;

import static io.daxguard.testkit.CLayoutProbe.javaValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.testkit.CLayoutProbe;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every flag, mode, errno, signal and magic number the wrappers pass to or read from the kernel equals what the C
 * compiler makes of this machine's headers, the architecture's own table ({@link LinuxConstants#running()})
 * included; the structure layouts and ioctl numbers are {@link KernelLayoutTest}'s. The table of the other
 * architecture cannot be compiled here: both tables are checked against the uapi definitions they come from,
 * {@code asm-generic/fcntl.h} with arm64's overrides.
 */
class LinuxConstantsTest {
    /** Each name is a C macro of the probe's headers and the key of the value the Java side uses. */
    private static final Map<String, Long> SHARED = javaValues(
            "O_RDONLY", LibC.O_RDONLY, "O_WRONLY", LibC.O_WRONLY, "O_RDWR", LibC.O_RDWR,
            "O_CLOEXEC", LibC.O_CLOEXEC, "O_NONBLOCK", LibC.O_NONBLOCK, "O_PATH", LibC.O_PATH,
            "SEEK_SET", LibC.SEEK_SET, "SEEK_END", LibC.SEEK_END,
            "SYS_openat2", LibC.SYS_OPENAT2, "SYS_pidfd_open", LibC.SYS_PIDFD_OPEN,
            "SYS_pidfd_send_signal", LibC.SYS_PIDFD_SEND_SIGNAL,
            "RESOLVE_NO_XDEV", Beneath.RESOLVE_NO_XDEV, "RESOLVE_NO_MAGICLINKS", Beneath.RESOLVE_NO_MAGICLINKS,
            "RESOLVE_NO_SYMLINKS", Beneath.RESOLVE_NO_SYMLINKS, "RESOLVE_BENEATH", Beneath.RESOLVE_BENEATH,
            "ESRCH", NativeCallException.ESRCH, "ENOSYS", NativeCallException.ENOSYS, "ENOTDIR", NativeCallException.ENOTDIR, "E2BIG", NativeCallException.E2BIG,
            "AT_FDCWD", LibC.AT_FDCWD, "AT_SYMLINK_NOFOLLOW", LibC.AT_SYMLINK_NOFOLLOW,
            "AT_EMPTY_PATH", LibC.AT_EMPTY_PATH, "AT_NO_AUTOMOUNT", LibC.AT_NO_AUTOMOUNT,
            "STATX_BASIC_STATS", FileStatus.STATX_BASIC_STATS,
            "S_IFMT", FileStatus.S_IFMT, "S_IFREG", FileStatus.S_IFREG, "S_IFDIR", FileStatus.S_IFDIR,
            "S_IFLNK", FileStatus.S_IFLNK, "S_IFBLK", FileStatus.S_IFBLK,
            "DT_UNKNOWN", DirectoryWalk.DT_UNKNOWN, "DT_DIR", DirectoryWalk.DT_DIR, "DT_REG", DirectoryWalk.DT_REG,
            "DT_LNK", DirectoryWalk.DT_LNK,
            "POLLIN", Poll.POLLIN, "POLLPRI", Poll.POLLPRI, "POLLERR", Poll.POLLERR, "POLLHUP", Poll.POLLHUP,
            "POLLNVAL", Poll.POLLNVAL,
            "FAN_CLASS_NOTIF", FilesystemChanges.FAN_CLASS_NOTIF, "FAN_CLOEXEC", FilesystemChanges.FAN_CLOEXEC,
            "FAN_NONBLOCK", FilesystemChanges.FAN_NONBLOCK, "FAN_REPORT_FID", FilesystemChanges.FAN_REPORT_FID,
            "FAN_REPORT_TID", FilesystemChanges.FAN_REPORT_TID, "FAN_Q_OVERFLOW", FilesystemChanges.FAN_Q_OVERFLOW,
            "FAN_MARK_ADD", FilesystemChanges.FAN_MARK_ADD,
            "FAN_MARK_FILESYSTEM", FilesystemChanges.FAN_MARK_FILESYSTEM,
            "FAN_MODIFY", FilesystemChanges.FAN_MODIFY, "FAN_ATTRIB", FilesystemChanges.FAN_ATTRIB,
            "FAN_CLOSE_WRITE", FilesystemChanges.FAN_CLOSE_WRITE, "FAN_MOVED_FROM", FilesystemChanges.FAN_MOVED_FROM,
            "FAN_MOVED_TO", FilesystemChanges.FAN_MOVED_TO, "FAN_CREATE", FilesystemChanges.FAN_CREATE,
            "FAN_DELETE", FilesystemChanges.FAN_DELETE, "FAN_DELETE_SELF", FilesystemChanges.FAN_DELETE_SELF,
            "FAN_MOVE_SELF", FilesystemChanges.FAN_MOVE_SELF, "FAN_ONDIR", FilesystemChanges.FAN_ONDIR,
            "FIONREAD", FilesystemChanges.FIONREAD,
            "FAN_EVENT_INFO_TYPE_FID", FilesystemChanges.FAN_EVENT_INFO_TYPE_FID,
            "FAN_EVENT_INFO_TYPE_DFID_NAME", FilesystemChanges.FAN_EVENT_INFO_TYPE_DFID_NAME,
            "FAN_EVENT_INFO_TYPE_DFID", FilesystemChanges.FAN_EVENT_INFO_TYPE_DFID,
            "MAX_HANDLE_SZ", FileHandle.MAX_BYTES, "ESTALE", NativeCallException.ESTALE,
            "FIEMAP_FLAG_SYNC", Fiemap.FLAG_SYNC, "FIEMAP_FLAG_XATTR", Fiemap.FLAG_XATTR,
            "FIEMAP_EXTENT_LAST", FiemapExtent.LAST, "FIEMAP_EXTENT_UNKNOWN", FiemapExtent.UNKNOWN,
            "FIEMAP_EXTENT_DELALLOC", FiemapExtent.DELALLOC, "FIEMAP_EXTENT_ENCODED", FiemapExtent.ENCODED,
            "FIEMAP_EXTENT_DATA_ENCRYPTED", FiemapExtent.DATA_ENCRYPTED,
            "FIEMAP_EXTENT_NOT_ALIGNED", FiemapExtent.NOT_ALIGNED, "FIEMAP_EXTENT_DATA_INLINE", FiemapExtent.DATA_INLINE,
            "FIEMAP_EXTENT_DATA_TAIL", FiemapExtent.DATA_TAIL, "FIEMAP_EXTENT_UNWRITTEN", FiemapExtent.UNWRITTEN,
            "FIEMAP_EXTENT_MERGED", FiemapExtent.MERGED, "FIEMAP_EXTENT_SHARED", FiemapExtent.SHARED,
            "FMR_OF_PREALLOC", FsmapRecord.FMR_OF_PREALLOC, "FMR_OF_ATTR_FORK", FsmapRecord.FMR_OF_ATTR_FORK,
            "FMR_OF_EXTENT_MAP", FsmapRecord.FMR_OF_EXTENT_MAP, "FMR_OF_SHARED", FsmapRecord.FMR_OF_SHARED,
            "FMR_OF_SPECIAL_OWNER", FsmapRecord.FMR_OF_SPECIAL_OWNER, "FMR_OF_LAST", FsmapRecord.FMR_OF_LAST,
            "XFS_SUPER_MAGIC", FilesystemStats.XFS_MAGIC, "EXT4_SUPER_MAGIC", FilesystemStats.EXT4_MAGIC,
            "EPERM", NativeCallException.EPERM, "ENOENT", NativeCallException.ENOENT,
            "EINTR", NativeCallException.EINTR, "EIO", NativeCallException.EIO, "EBADF", NativeCallException.EBADF,
            "EAGAIN", NativeCallException.EAGAIN, "ENOMEM", NativeCallException.ENOMEM,
            "EACCES", NativeCallException.EACCES,
            "MCL_CURRENT", MemoryLock.MCL_CURRENT, "MCL_ONFAULT", MemoryLock.MCL_ONFAULT,
            "LOCK_EX", Flock.LOCK_EX, "LOCK_NB", Flock.LOCK_NB, "EWOULDBLOCK", NativeCallException.EAGAIN,
            "EINVAL", NativeCallException.EINVAL, "ENOTTY", NativeCallException.ENOTTY,
            "ENOSPC", NativeCallException.ENOSPC, "EPIPE", NativeCallException.EPIPE,
            "ELOOP", NativeCallException.ELOOP, "ENODATA", NativeCallException.ENODATA,
            "EBADMSG", NativeCallException.EBADMSG, "EOPNOTSUPP", NativeCallException.EOPNOTSUPP,
            "SIGHUP", Signals.SIGHUP, "SIGINT", Signals.SIGINT, "SIGBUS", Signals.SIGBUS, "SIGKILL", Signals.SIGKILL,
            "SIGUSR1", Signals.SIGUSR1, "SIGUSR2", Signals.SIGUSR2, "SIGTERM", Signals.SIGTERM);

    /**
     * The four values {@code arch/arm64/include/uapi/asm/fcntl.h} defines (the AArch32 ones, kept for compat) before
     * it includes {@code asm-generic/fcntl.h}; arm64 has no other {@code O_*} of its own.
     */
    private static final String ARM64_FCNTL_H = """
            #define O_DIRECTORY 040000
            #define O_NOFOLLOW 0100000
            #define O_DIRECT 0200000
            #define O_LARGEFILE 0400000
            """;

    private static Map<String, Long> c;

    @BeforeAll
    static void askTheCompiler() throws IOException {
        CLayoutProbe probe = CLayoutProbe.including("<fcntl.h>", "<unistd.h>", "<sys/stat.h>", "<dirent.h>",
                "<poll.h>", "<sys/fanotify.h>", "<sys/ioctl.h>", "<errno.h>", "<signal.h>", "<linux/types.h>",
                "<linux/fiemap.h>", "<linux/fsmap.h>", "<linux/magic.h>", "<sys/syscall.h>", "<linux/openat2.h>",
                "<sys/mman.h>", "<sys/file.h>");
        SHARED.keySet().forEach(name -> probe.value(name, name));
        c = probe.value("O_DIRECT", "O_DIRECT").value("O_DIRECTORY", "O_DIRECTORY").value("O_NOFOLLOW", "O_NOFOLLOW")
                .run();
    }

    @Test
    void theTableOfThisArchitectureMatchesItsHeaders() {
        LinuxConstants running = LinuxConstants.running();

        assertThat(running.architecture()).isEqualTo(System.getProperty("os.arch"));
        assertThat(openFlags(running)).isEqualTo(fromC(c, openFlags(running).keySet()));
    }

    @Test
    void everyConstantSharedByTheArchitecturesMatchesTheHeaders() {
        assertThat(SHARED).isEqualTo(fromC(c, SHARED.keySet()));
    }

    /** What x86-64 uses: the generic header alone; the shared open flags are checked against it as well. */
    @Test
    void theX86TableHasTheDefaultsOfAsmGenericFcntl() throws IOException {
        Map<String, Long> generic = openFlagsOf(CLayoutProbe.including("<asm-generic/fcntl.h>"));

        assertThat(openFlags(LinuxConstants.of("amd64"))).isEqualTo(fromC(generic, openFlags(LinuxConstants.X86_64)
                .keySet()));
        assertThat(sharedOpenFlags()).isEqualTo(fromC(generic, sharedOpenFlags().keySet()));
    }

    /** What arm64 uses: its four overrides, then the generic header, which gives it the shared open flags. */
    @Test
    void theArm64TableHasTheValuesOfArm64FcntlOverAsmGeneric() throws IOException {
        Map<String, Long> arm64 = openFlagsOf(CLayoutProbe.including().declaring(ARM64_FCNTL_H)
                .declaring("#include <asm-generic/fcntl.h>"));

        assertThat(openFlags(LinuxConstants.of("aarch64"))).isEqualTo(fromC(arm64, openFlags(LinuxConstants.ARM64)
                .keySet()));
        assertThat(sharedOpenFlags()).isEqualTo(fromC(arm64, sharedOpenFlags().keySet()));
        assertThat(LinuxConstants.ARM64).isNotEqualTo(LinuxConstants.X86_64);
    }

    /**
     * arm64 takes its system call numbers from {@code asm-generic/unistd.h}; the calls daxguard makes by number are
     * newer than Linux 5.1 and so have that number on x86-64 too (checked above against this machine's headers).
     */
    @Test
    void theSystemCallNumbersAreThoseOfAsmGenericUnistd() throws IOException {
        Map<String, Long> generic = CLayoutProbe.including("<asm-generic/unistd.h>")
                .value("SYS_openat2", "__NR_openat2").value("SYS_pidfd_open", "__NR_pidfd_open")
                .value("SYS_pidfd_send_signal", "__NR_pidfd_send_signal").run();

        assertThat(javaValues("SYS_openat2", LibC.SYS_OPENAT2, "SYS_pidfd_open", LibC.SYS_PIDFD_OPEN,
                "SYS_pidfd_send_signal", LibC.SYS_PIDFD_SEND_SIGNAL)).isEqualTo(generic);
    }

    @Test
    void anArchitectureWithNoTableIsRefusedByName() {
        assertThatThrownBy(() -> LinuxConstants.of("ppc64le"))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("ppc64le architecture")
                .hasMessageContaining("amd64 (x86-64) and aarch64 (arm64)");
    }

    private static Map<String, Long> openFlags(LinuxConstants table) {
        return javaValues("O_DIRECT", table.oDirect(), "O_DIRECTORY", table.oDirectory(),
                "O_NOFOLLOW", table.oNofollow());
    }

    private static Map<String, Long> sharedOpenFlags() {
        return javaValues("O_RDONLY", LibC.O_RDONLY, "O_WRONLY", LibC.O_WRONLY, "O_RDWR", LibC.O_RDWR,
                "O_CLOEXEC", LibC.O_CLOEXEC, "O_NONBLOCK", LibC.O_NONBLOCK);
    }

    private static Map<String, Long> openFlagsOf(CLayoutProbe probe) throws IOException {
        for (String name : new String[] {"O_DIRECT", "O_DIRECTORY", "O_NOFOLLOW", "O_RDONLY", "O_WRONLY", "O_RDWR",
                "O_CLOEXEC", "O_NONBLOCK"}) {
            probe.value(name, name);
        }
        return probe.run();
    }

    /** The compiler's values of the given names, in the order given. */
    private static Map<String, Long> fromC(Map<String, Long> values, Iterable<String> names) {
        Map<String, Long> wanted = new LinkedHashMap<>();
        names.forEach(name -> wanted.put(name, values.get(name)));
        return wanted;
    }
}
