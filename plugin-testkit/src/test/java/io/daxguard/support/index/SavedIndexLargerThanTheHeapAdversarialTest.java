package io.daxguard.support.index;

import static io.daxguard.support.index.LiveReverseMapContract.write;
import static io.daxguard.support.index.SavedIndexAttacks.extentsOf;
import static io.daxguard.support.index.SavedIndexAttacks.inodeOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A saved index larger than the agent's heap (one saved by an agent given more heap, {@code DAXGUARD_HEAP}, or a
 * damaged one whose counts fit its size), loaded by an agent run as the shipped launcher runs it ({@code -Xmx256m
 * -XX:+ExitOnOutOfMemoryError}): it must be ignored with a log line, as a full build too large for the heap is
 * refused ({@link HeapBudget}), not end the JVM at every start. The file is sparse: it costs no disk.
 */
@Tag("mount")
class SavedIndexLargerThanTheHeapAdversarialTest {
    /** What the column claims: 400 MiB of words, more than the launcher's default 256 MiB heap. */
    private static final int WORDS = 50 << 20;
    @TempDir
    Path state;

    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd("mkfs.ext4", "blkid");
    }

    @Test
    void aSavedIndexLargerThanTheHeapIsIgnoredAndTheMapBuildsInstead() throws Exception {
        try (ScratchFilesystem filesystem = ScratchFilesystem.ext4().mkfsOptions("-b", "4096").create()) {
            Path file = write(filesystem.path("file"), 16 * 4096, 1);
            String uuid = Command.run("blkid", "-s", "UUID", "-o", "value", filesystem.device().toString()).strip();
            DeviceNumber device = filesystem.deviceNumber();
            SavedIndexFile saved = SavedIndexFile.in(state, uuid, device);
            writeSparseIndexClaiming(saved.path(), uuid, device, WORDS);

            List<String> output = new ArrayList<>();
            int exit = runDriver(List.of(filesystem.mountPoint().toString(), state.toString(), uuid,
                    String.valueOf(device.major()), String.valueOf(device.minor()),
                    String.valueOf(extentsOf(file).get(0).physical())), output);

            String everything = String.join("\n", output);
            assertThat(exit).as(everything).isZero();
            assertThat(output).as(everything).contains("ready true", "owners [" + inodeOf(file) + "]", "done");
            assertThat(everything).contains("ignoring the saved reverse-map index", saved.path().toString(), "heap");
        }
    }

    /** A saved index whose header is right and whose first column claims {@code words} words, all zero. */
    private static void writeSparseIndexClaiming(Path path, String uuid, DeviceNumber device, int words)
            throws Exception {
        byte[] uuidBytes = uuid.getBytes(StandardCharsets.UTF_8);
        ByteBuffer header = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(SavedIndexFormat.MAGIC).putInt(SavedIndexFormat.VERSION).putInt(uuidBytes.length)
                .put(uuidBytes).putInt(device.major()).putInt(device.minor()).putLong(2).putLong(1_000_000)
                .putLong(System.currentTimeMillis());
        header.putInt(1).putInt(1).putInt(0).putInt(words);
        header.flip();
        try (RandomAccessFile raw = new RandomAccessFile(path.toFile(), "rw")) {
            raw.write(header.array(), 0, header.limit());
            raw.setLength(header.limit() + (long) words * Long.BYTES + 1024);
        }
    }

    private static int runDriver(List<String> arguments, List<String> output) throws Exception {
        return runDriver("-Xmx256m", arguments, output);
    }

    /** Runs {@link SavedIndexLoadDriver} with {@code heap} and the launcher's other flags; returns its exit code. */
    static int runDriver(String heap, List<String> arguments, List<String> output) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> argv = new ArrayList<>(List.of(java, "-Xms32m", heap, "-XX:+UseSerialGC",
                "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
                SavedIndexLoadDriver.class.getName()));
        argv.addAll(arguments);
        Process child = new ProcessBuilder(argv).redirectErrorStream(true).start();
        try (var lines = child.inputReader(StandardCharsets.UTF_8)) {
            lines.lines().forEach(output::add);
        } finally {
            if (!child.waitFor(5, TimeUnit.MINUTES)) { // a bound against hanging only
                child.destroyForcibly();
            }
        }
        return child.exitValue();
    }
}
