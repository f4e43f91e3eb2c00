package io.daxguard.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Two files' blocks swapped by the ioctl an online defragmenter uses, with both writable descriptors kept open until
 * {@link #close}: the kernel sends the fanotify events of the change ({@code FAN_CLOSE_WRITE}) only then, so a test can
 * ask about the blocks in the window a defragmenter leaves. Made by a small python3 helper (struct packing, the
 * descriptors held while it waits on its standard input).
 */
public final class BlocksSwappedWhileOpen implements AutoCloseable {
    /** {@code struct move_extent} and {@code EXT4_IOC_MOVE_EXT = _IOWR('f', 15, struct move_extent)}. */
    private static final String EXT4_MOVE = String.join("\n",
            "import fcntl, os, struct, sys",
            "orig = os.open(sys.argv[1], os.O_RDWR)",
            "donor = os.open(sys.argv[2], os.O_RDWR)",
            "arg = bytearray(struct.pack('=IIQQQQ', 0, donor, 0, 0, int(sys.argv[3]), 0))",
            "fcntl.ioctl(orig, 0xC028660F, arg, True)",
            "print('moved', struct.unpack('=IIQQQQ', arg)[5], flush=True)",
            "sys.stdin.read()",
            "os.close(donor)",
            "os.close(orig)");
    /**
     * {@code struct xfs_swapext} (192 bytes, {@code struct xfs_bstat} at 56) and {@code XFS_IOC_SWAPEXT}; the target's
     * ctime and mtime, which the kernel checks, come from stat.
     */
    private static final String XFS_SWAP = String.join("\n",
            "import fcntl, os, struct, sys",
            "target = os.open(sys.argv[1], os.O_RDWR)",
            "tmp = os.open(sys.argv[2], os.O_RDWR)",
            "st = os.fstat(target)",
            "arg = bytearray(192)",
            "struct.pack_into('=qqqqq', arg, 0, 0, target, tmp, 0, st.st_size)",
            "struct.pack_into('=qi', arg, 56 + 56, st.st_mtime_ns // 10**9, st.st_mtime_ns % 10**9)",
            "struct.pack_into('=qi', arg, 56 + 72, st.st_ctime_ns // 10**9, st.st_ctime_ns % 10**9)",
            "fcntl.ioctl(target, 0xC0C0586D, arg, True)",
            "print('swapped', flush=True)",
            "sys.stdin.read()",
            "os.close(tmp)",
            "os.close(target)");

    private final Process helper;
    private final String said;

    private BlocksSwappedWhileOpen(Process helper) throws IOException {
        this.helper = helper;
        String line = new BufferedReader(new InputStreamReader(helper.getInputStream(), StandardCharsets.US_ASCII))
                .readLine();
        this.said = line == null ? "" : line;
    }

    /**
     * {@code EXT4_IOC_MOVE_EXT} of the first {@code blocks} blocks of {@code original} with {@code donor}'s (what
     * e4defrag calls); {@link #said} is {@code "moved N"}, N the blocks moved.
     */
    public static BlocksSwappedWhileOpen ext4MoveExtents(Path original, Path donor, int blocks) throws IOException {
        return start(EXT4_MOVE, original.toString(), donor.toString(), Integer.toString(blocks));
    }

    /** {@code XFS_IOC_SWAPEXT} of two whole files (what xfs_fsr calls); {@link #said} is {@code "swapped"}. */
    public static BlocksSwappedWhileOpen xfsSwapExtents(Path target, Path temporary) throws IOException {
        return start(XFS_SWAP, target.toString(), temporary.toString());
    }

    private static BlocksSwappedWhileOpen start(String script, String... arguments) throws IOException {
        String[] command = new String[3 + arguments.length];
        command[0] = "python3";
        command[1] = "-c";
        command[2] = script;
        System.arraycopy(arguments, 0, command, 3, arguments.length);
        Process helper = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            return new BlocksSwappedWhileOpen(helper);
        } catch (IOException | RuntimeException e) {
            helper.destroyForcibly();
            throw e;
        }
    }

    /** What the helper printed once the ioctl returned (empty if it failed: its error is on the test's stderr). */
    public String said() {
        return said;
    }

    /** Closes both descriptors (the kernel then sends the close events) and waits for the helper to end. */
    @Override
    public void close() throws InterruptedException, IOException {
        helper.getOutputStream().close();
        helper.waitFor();
    }
}
