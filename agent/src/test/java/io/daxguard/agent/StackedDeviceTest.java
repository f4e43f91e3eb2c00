package io.daxguard.agent;

import io.daxguard.testkit.FilePlacement;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.failure.DeviceResolver;
import io.daxguard.agent.failure.FailureTuple;
import io.daxguard.agent.source.SourceSettings;
import io.daxguard.agent.failure.ProcessingResult;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.FaultyDisk;
import io.daxguard.testkit.Privileges;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An XFS image file on a filesystem on the faulty disk, loop-mounted at an offset of 1 MiB into the image:
 * a failure under the image file names the file inside the inner XFS.
 */
@Tag("mount")
class StackedDeviceTest {
    private static final long LOOP_OFFSET = 1 << 20;
    private static final long BYTE_IN_INNER_FILE = 8192 + 512;

    @ParameterizedTest(name = "xfs in {0}")
    @ValueSource(strings = {"xfs", "ext4"})
    void damageUnderAnImageFileNamesTheFileInsideTheInnerFilesystem(String outerType) throws Exception {
        if (outerType.equals("ext4")) {
            SourcesFixture.requirePlugin("ext4");
        }
        FaultyDisk.Builder builder = outerType.equals("xfs") ? FaultyDisk.xfs() : FaultyDisk.ext4();
        try (FaultyDisk outer = builder.sizeMiB(768).create(); InnerXfs inner = new InnerXfs(outer.path("inner.img"))) {
            Files.createDirectories(inner.mountPoint.resolve("docs"));
            AgentFixture.writeFile(inner.mountPoint.resolve("docs/inner.bin"), 64 * 1024, 9);
            Command.run("sync");
            long innerDeviceByte = physicalOf(inner.mountPoint.resolve("docs/inner.bin"), BYTE_IN_INNER_FILE);
            long outerSector = outer.sectorOf(inner.image, innerDeviceByte + LOOP_OFFSET);
            try (SourcesFixture fixture = new SourcesFixture(SourceSettings.defaults().withKmsgEnabled(false).withTraceEnabled(false)
                    .withBadblocksEnabled(false))) {
                fixture.awaitHolderReady(outer.mountPoint());

                ProcessingResult result = fixture.agent().router().route(new FailureTuple(
                        DeviceResolver.system().resolve(outer.deviceName()), outerSector * FailureTuple.SECTOR,
                        FailureTuple.SECTOR, 5, java.util.Set.of(), "test", Instant.now())).get();

                assertThat(SourcesFixture.fileHits(result.recorded(), inner.mountPoint.toString()))
                        .containsExactly("/docs/inner.bin@" + BYTE_IN_INNER_FILE + "+512");
            }
        }
    }

    /** Where byte {@code offset} of {@code file} is on its filesystem's device. */
    private static long physicalOf(Path file, long offset) throws IOException {
        return FilePlacement.physicalOf(file, offset);
    }

    /** A 321 MiB sparse image with an XFS starting 1 MiB in, on its own loop device, mounted; undone by close. */
    private static final class InnerXfs implements AutoCloseable {
        final Path image;
        final Path mountPoint;
        private String loop;
        private boolean mounted;

        InnerXfs(Path image) throws IOException {
            Privileges.requireRootLoopAnd("losetup", "mkfs.xfs", "mount", "umount");
            this.image = image;
            this.mountPoint = Files.createTempDirectory("daxguard-inner-");
            try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
                file.setLength(LOOP_OFFSET + (320L << 20));
            }
            try {
                loop = Command.run("losetup", "--find", "--show", "--offset", Long.toString(LOOP_OFFSET),
                        image.toString()).strip();
                Command.run("mkfs.xfs", "-q", "-f", "-m", "rmapbt=1,reflink=1", loop);
                Command.run("mount", "-t", "xfs", loop, mountPoint.toString());
                mounted = true;
            } catch (IOException | RuntimeException e) {
                close();
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            try {
                if (mounted) {
                    Command.run("umount", mountPoint.toString());
                }
            } finally {
                try {
                    if (loop != null) {
                        Command.run("losetup", "--detach", loop);
                    }
                } finally {
                    Files.deleteIfExists(mountPoint);
                }
            }
        }
    }
}
