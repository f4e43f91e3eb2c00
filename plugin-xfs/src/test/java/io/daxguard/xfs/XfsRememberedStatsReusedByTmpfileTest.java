package io.daxguard.xfs;

import static io.daxguard.xfs.XfsFixtures.BLOCK;
import static io.daxguard.xfs.XfsFixtures.attributeExtents;
import static io.daxguard.xfs.XfsFixtures.generation;
import static io.daxguard.xfs.XfsFixtures.inode;
import static io.daxguard.xfs.XfsFixtures.writeSynced;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Owner;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Adversarial (held up): an inode number freed and allocated again, with a block, with as few watched events as
 * Linux allows: the last close of a file deleted while open read-only (FAN_CLOSE_NOWRITE is not watched, but the
 * inode's removal sends FAN_DELETE_SELF), then an {@code O_TMPFILE} open (no event at all) in a directory with a large
 * default ACL, so the new inode gets an attribute-fork block at creation without any write. The holder still reports
 * the new generation.
 */
@Tag("mount")
class XfsRememberedStatsReusedByTmpfileTest {
    @RegisterExtension
    static final XfsFixtures.AttachedScratchXfs xfs = new XfsFixtures.AttachedScratchXfs("xfs_io");
    private static final ScratchFilesystem fs = xfs.filesystem();
    private static final int O_RDONLY = 0;
    private static final int O_RDWR = 2;
    private static final int O_TMPFILE = 0x410000; // __O_TMPFILE | O_DIRECTORY

    /** The few calls the JDK does not make: O_TMPFILE and a system.* extended attribute. */
    interface C extends Library {
        C LIB = Native.load("c", C.class);

        int open(String path, int flags, int mode);

        int close(int fd);

        int setxattr(String path, String name, Memory value, long size, int flags);
    }

    private static List<FileOwner> files(List<Owner> owners) {
        return owners.stream().filter(FileOwner.class::isInstance).map(FileOwner.class::cast).toList();
    }

    /** A default ACL of 120 named users: 4 + 8 * 124 bytes, too large for the inode, so every new file's ACL takes a block. */
    private static void setLargeDefaultAcl(Path directory) {
        int users = 120;
        int entries = users + 4;
        Memory acl = new Memory(4 + 8L * entries);
        acl.setInt(0, 2);
        int at = 4;
        at = entry(acl, at, 0x01, 7, -1);
        for (int user = 0; user < users; user++) {
            at = entry(acl, at, 0x02, 6, 10_000 + user);
        }
        at = entry(acl, at, 0x04, 5, -1);
        at = entry(acl, at, 0x10, 7, -1);
        entry(acl, at, 0x20, 4, -1);
        assertThat(C.LIB.setxattr(directory.toString(), "system.posix_acl_default", acl, acl.size(), 0))
                .as("setxattr system.posix_acl_default").isZero();
    }

    private static int entry(Memory acl, int at, int tag, int perm, int id) {
        acl.setShort(at, (short) tag);
        acl.setShort(at + 2, (short) perm);
        acl.setInt(at + 4, id);
        return at + 8;
    }

    @Test
    void namesTheNewGenerationOfAnInodeNumberGivenToAnUnlinkedTemporaryFile() throws IOException {
        Path directory = Files.createDirectory(fs.path("acl"));
        setLargeDefaultAcl(directory);
        Path first = writeSynced(directory.resolve("first"), 1);
        long number = inode(first);
        long firstGeneration = generation(first);
        assertThat(attributeExtents(first)).as("precondition: the inherited ACL takes a block").isNotEmpty();
        List<Integer> open = new ArrayList<>();
        try {
            int reader = C.LIB.open(first.toString(), O_RDONLY, 0);
            assertThat(reader).isNotNegative();
            Files.delete(first);
            // Asked while the deleted file is still open: its generation is remembered, rightly, for now.
            FailureRange firstAttributes = FailureRange.of(attributeExtents(Path.of("/proc/self/fd/" + reader))
                    .get(0).physical(), BLOCK);
            assertThat(files(xfs.holder().notifyFailure(firstAttributes)))
                    .extracting(FileOwner::inode, FileOwner::generation)
                    .containsExactly(Tuple.tuple(number, firstGeneration));
            C.LIB.close(reader); // the last close frees the inode
            Path reused = null;
            for (int i = 0; i < 500 && reused == null; i++) {
                int fd = C.LIB.open(directory.toString(), O_TMPFILE | O_RDWR, 0600);
                assertThat(fd).as("O_TMPFILE").isNotNegative();
                open.add(fd);
                Path candidate = Path.of("/proc/self/fd/" + fd);
                reused = inode(candidate) == number ? candidate : null;
            }
            assertThat(reused).as("precondition: XFS gave inode %d to a temporary file", number).isNotNull();
            long truth = generation(reused);
            assertThat(truth).as("precondition: a new generation").isNotEqualTo(firstGeneration);

            List<Owner> owners = xfs.holder().notifyFailure(
                    FailureRange.of(attributeExtents(reused).get(0).physical(), BLOCK));

            assertThat(files(owners)).extracting(FileOwner::inode, FileOwner::generation)
                    .containsExactly(Tuple.tuple(number, truth));
        } finally {
            open.forEach(C.LIB::close);
        }
    }
}
