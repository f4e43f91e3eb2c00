package io.daxguard.support.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.daxguard.spi.LinuxPath;
import java.util.List;

/**
 * Opens a path beneath a directory descriptor and nowhere else: no symbolic link followed anywhere on the way, no
 * {@code ..}, and, unless asked, no crossing into another mount. With {@code openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS [| RESOLVE_NO_XDEV])} (Linux 5.6) the kernel resolves the whole path
 * in one call; without it (ENOSYS: an older kernel, or a seccomp filter that hides the call) the path is walked one
 * component at a time with {@code openat(O_NOFOLLOW)}, each directory checked to be on the starting mount.
 * Either way a directory swapped for a symlink while the path is resolved gives ELOOP, never another file.
 *
 * <pre>
 * struct open_how (24 bytes)   offset
 *   __u64 flags                   0
 *   __u64 mode                    8
 *   __u64 resolve                16
 * </pre>
 */
final class Beneath {
    static final int HOW_SIZE = 24;
    static final int OFFSET_FLAGS = 0;
    static final int OFFSET_MODE = 8;
    static final int OFFSET_RESOLVE = 16;
    static final long RESOLVE_NO_XDEV = 0x01;
    static final long RESOLVE_NO_MAGICLINKS = 0x02;
    static final long RESOLVE_NO_SYMLINKS = 0x04;
    static final long RESOLVE_BENEATH = 0x08;
    /** openat2 answers EAGAIN when a rename raced a {@code ..} lookup; daxguard sends none, but retries a little. */
    private static final int EAGAIN_RETRIES = 16;
    private static final LinuxPath DOT = LinuxPath.ofText(".");
    private static final LinuxPath DOT_DOT = LinuxPath.ofText("..");

    /** How a path is resolved. */
    enum Resolver {
        /** One {@code openat2} call. */
        OPENAT2,
        /** {@code openat(O_NOFOLLOW)} per component: the fallback. */
        WALK
    }

    /** Cleared the first time the kernel answers ENOSYS: from then on every open walks. */
    private static volatile boolean openat2Available = true;

    private Beneath() {
    }

    /**
     * Opens {@code relative} beneath {@code start} with {@code flags} ({@code O_CLOEXEC} and {@code O_NOFOLLOW}
     * added).
     *
     * @throws NativeCallException ELOOP for a symbolic link on the way, EXDEV for a path leaving {@code start} or
     *                             (without {@code crossMounts}) entering another mount, ENOENT, ...
     */
    static NativeFile open(NativeFile start, LinuxPath relative, int flags, boolean crossMounts)
            throws NativeCallException {
        if (openat2Available) {
            try {
                return open(start, relative, flags, crossMounts, Resolver.OPENAT2);
            } catch (NativeCallException e) {
                if (e.errno() != NativeCallException.ENOSYS) {
                    throw e;
                }
                openat2Available = false;
            }
        }
        return open(start, relative, flags, crossMounts, Resolver.WALK);
    }

    /** {@link #open(NativeFile, LinuxPath, int, boolean)} with a given resolver (the tests run both). */
    static NativeFile open(NativeFile start, LinuxPath relative, int flags, boolean crossMounts, Resolver resolver)
            throws NativeCallException {
        List<LinuxPath> components = components(start, relative);
        int all = flags | LibC.O_CLOEXEC | LinuxConstants.running().oNofollow();
        return resolver == Resolver.OPENAT2 ? openat2(start, relative, components, all, crossMounts)
                : walk(start, components, all, crossMounts);
    }

    /** The components to open: relative, no {@code ..}, {@code .} left out; {@code .} alone for the start itself. */
    private static List<LinuxPath> components(NativeFile start, LinuxPath relative) throws NativeCallException {
        String target = start.childName(relative);
        if (relative.isAbsolute()) {
            throw new NativeCallException("openat2(RESOLVE_BENEATH): an absolute path", target,
                    NativeCallException.EXDEV);
        }
        List<LinuxPath> components = relative.components().stream().filter(part -> !part.equals(DOT)).toList();
        if (components.contains(DOT_DOT)) {
            throw new NativeCallException("openat2(RESOLVE_BENEATH): a path with ..", target, NativeCallException.EXDEV);
        }
        return components.isEmpty() ? List.of(DOT) : components;
    }

    private static NativeFile openat2(NativeFile start, LinuxPath relative, List<LinuxPath> components, int flags,
                                      boolean crossMounts) throws NativeCallException {
        LinuxPath joined = components.stream().reduce((a, b) -> a.join(b)).orElseThrow();
        long resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS
                | (crossMounts ? 0 : RESOLVE_NO_XDEV);
        try (Memory how = new Memory(HOW_SIZE)) {
            how.clear();
            how.setLong(OFFSET_FLAGS, flags & 0xffff_ffffL);
            how.setLong(OFFSET_MODE, 0);
            how.setLong(OFFSET_RESOLVE, resolve);
            for (int attempt = 0; ; attempt++) {
                try {
                    long fd = LibC.syscall(LibC.SYS_OPENAT2, start.fd(), joined.nulTerminated(), how, HOW_SIZE);
                    return NativeFile.adopt((int) fd, start.childName(relative));
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == NativeCallException.ENOTDIR && lastIsSymlink(start, components,
                            crossMounts)) {
                        // O_DIRECTORY | O_NOFOLLOW on a symlink answers ENOTDIR, as the walk's openat does: say ELOOP.
                        throw new NativeCallException("openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)",
                                start.childName(relative), NativeCallException.ELOOP);
                    }
                    if (e.getErrorCode() != NativeCallException.EAGAIN || attempt >= EAGAIN_RETRIES) {
                        throw NativeCallException.from("openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)",
                                start.childName(relative), e);
                    }
                }
            }
        }
    }

    private static NativeFile walk(NativeFile start, List<LinuxPath> components, int flags, boolean crossMounts)
            throws NativeCallException {
        long mount = crossMounts ? 0 : FileStatus.mountIdOf(start);
        NativeFile directory = start;
        try {
            for (int i = 0; i < components.size(); i++) {
                boolean last = i == components.size() - 1;
                // Not O_DIRECTORY on the way: with it a symlink answers ENOTDIR, without it ELOOP, in the same call
                // that finds it; something else than a directory fails the next openat with ENOTDIR.
                int componentFlags = last ? flags : LibC.O_RDONLY | LibC.O_CLOEXEC | LibC.O_NONBLOCK
                        | LinuxConstants.running().oNofollow();
                NativeFile next = openat(directory, components.get(i), componentFlags);
                if (!crossMounts && FileStatus.mountIdOf(next) != mount) {
                    next.closeQuietly();
                    throw new NativeCallException("openat(O_NOFOLLOW): another mount", next.name(),
                            NativeCallException.EXDEV);
                }
                if (directory != start) {
                    directory.closeQuietly();
                }
                directory = next;
            }
            NativeFile opened = directory;
            directory = start;
            return opened;
        } finally {
            if (directory != start) {
                directory.closeQuietly();
            }
        }
    }

    private static NativeFile openat(NativeFile directory, LinuxPath name, int flags) throws NativeCallException {
        try {
            return NativeFile.adopt(LibC.openat(directory.fd(), name.nulTerminated(), flags, 0),
                    directory.childName(name));
        } catch (LastErrorException e) {
            NativeCallException failure = NativeCallException.from("openat(O_NOFOLLOW)", directory.childName(name), e);
            if (e.getErrorCode() == NativeCallException.ENOTDIR && isSymlink(directory, name)) {
                // O_DIRECTORY | O_NOFOLLOW on a symlink answers ENOTDIR; openat2 answers ELOOP: say the same.
                throw new NativeCallException("openat(O_NOFOLLOW)", directory.childName(name), NativeCallException.ELOOP);
            }
            throw failure;
        }
    }

    /** Whether the last of {@code components} is a symbolic link, its directory opened as beneath as the rest. */
    private static boolean lastIsSymlink(NativeFile start, List<LinuxPath> components, boolean crossMounts) {
        List<LinuxPath> above = components.subList(0, components.size() - 1);
        LinuxPath name = components.get(components.size() - 1);
        if (above.isEmpty()) {
            return isSymlink(start, name);
        }
        LinuxPath parent = above.stream().reduce((a, b) -> a.join(b)).orElseThrow();
        try {
            NativeFile directory = open(start, parent, LibC.O_RDONLY | LinuxConstants.running().oDirectory(),
                    crossMounts, Resolver.OPENAT2);
            try {
                return isSymlink(directory, name);
            } finally {
                directory.closeQuietly();
            }
        } catch (NativeCallException unreachable) {
            return false;
        }
    }

    private static boolean isSymlink(NativeFile directory, LinuxPath name) {
        try {
            return FileStatus.ofChildNoFollow(directory, name).isSymbolicLink();
        } catch (NativeCallException gone) {
            return false;
        }
    }
}
