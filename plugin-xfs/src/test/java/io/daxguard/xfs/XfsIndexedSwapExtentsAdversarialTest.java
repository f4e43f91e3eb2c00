package io.daxguard.xfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Holder;
import io.daxguard.spi.Owner;
import io.daxguard.spi.PluginContext;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Through the XFS plugin on XFS without rmapbt and without reflink (indexed, answers remembered, so a current index
 * vouches for its plain extents): XFS_IOC_SWAPEXT, what xfs_fsr calls, swaps the blocks of two files and sends no
 * fanotify event until the writable descriptors close. xfs_fsr holds them open for the swap; a failure reported in that
 * window right after a build is answered from the build. The swap is made by a python helper that keeps both
 * descriptors open until the test closes its standard input (the target's ctime and mtime, which the kernel checks,
 * come from stat). Ground truth FIEMAP.
 */
@Tag("mount")
class XfsIndexedSwapExtentsAdversarialTest {
    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().mkfsOptions("-m", "rmapbt=0,reflink=0").build();

    /** {@code struct xfs_swapext} (192 bytes, {@code struct xfs_bstat} at 56) and {@code XFS_IOC_SWAPEXT}. */
    private static final String SWAP = String.join("\n",
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

    private Process swapper;

    @AfterEach
    void endTheSwapper() throws Exception {
        if (swapper != null) {
            swapper.getOutputStream().close();
            swapper.waitFor();
        }
    }

    /** FINDING if it fails (HIGH, wrong owner). */
    @Test
    void reportsTheFileThatMapsTheBlocksWhileASwapExtentsDescriptorIsOpenRightAfterTheBuild() throws Exception {
        Privileges.requireRootLoopAnd("python3");
        Path target = XfsFixtures.writeSynced(XFS.path("target"), 16);
        Path temporary = XfsFixtures.writeSynced(XFS.path("temporary"), 16);
        FiemapExtent targetBefore = XfsFixtures.dataExtents(target).get(0);
        FiemapExtent temporaryBefore = XfsFixtures.dataExtents(temporary).get(0);
        try (Holder holder = new XfsPlugin().attach(XfsFixtures.mountOf(XFS),
                PluginContext.of(System.getLogger("test")))) {
            assertThat(holder.awaitReverseMap(Duration.ofMinutes(2))).as("index built").isTrue();

            swapper = new ProcessBuilder("python3", "-c", SWAP, target.toString(), temporary.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            assertThat(new BufferedReader(new InputStreamReader(swapper.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine()).as("precondition: XFS_IOC_SWAPEXT succeeded").isEqualTo("swapped");
            assertThat(XfsFixtures.dataExtents(target).get(0).physical()).as("precondition: swapped")
                    .isEqualTo(temporaryBefore.physical());

            assertThat(inodes(holder.notifyFailure(FailureRange.of(targetBefore.physical(), XfsFixtures.BLOCK))))
                    .containsExactly(inode(temporary));
            assertThat(inodes(holder.notifyFailure(FailureRange.of(temporaryBefore.physical(), XfsFixtures.BLOCK))))
                    .containsExactly(inode(target));
        }
    }

    private static long inode(Path file) throws Exception {
        return (Long) Files.getAttribute(file, "unix:ino");
    }

    private static List<Long> inodes(List<Owner> owners) {
        return owners.stream().filter(FileOwner.class::isInstance).map(o -> ((FileOwner) o).inode()).toList();
    }
}
