package io.daxguard.support.index;

import static io.daxguard.support.index.LiveReverseMapContract.write;
import static io.daxguard.support.index.SavedIndexAttacks.liveOwners;
import static io.daxguard.support.index.SavedIndexAttacks.ownersOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.support.index.SavedIndexAttacks.RecordingLogger;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a process saving its index ({@link SavedIndexSaveLoopDriver}), sent the moment its temporary file
 * appears (inotify through a {@link WatchService}): whatever the kill left (the old index and a partial temporary
 * file, or the new index), the next start is ready and answers every block as FIEMAP does, and its first save
 * removes the leftover.
 */
@Tag("mount")
class SavedIndexKilledDuringASaveAdversarialTest {
    /** Saves to let through before the kill: the first is the initial build's, the rest catch-up refreshes. */
    private static final int KILL_AT_SAVE = 4;
    @TempDir
    Path state;

    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd("mkfs.ext4", "blkid");
    }

    @Test
    void aProcessKilledDuringASaveLeavesAStateTheNextStartUses() throws Exception {
        try (ScratchFilesystem filesystem = ScratchFilesystem.ext4().mkfsOptions("-b", "4096").create()) {
            for (int i = 0; i < 2000; i++) {
                write(filesystem.path("many-" + i), 4096, i);
            }
            String uuid = Command.run("blkid", "-s", "UUID", "-o", "value", filesystem.device().toString()).strip();
            DeviceNumber device = filesystem.deviceNumber();
            SavedIndexFile saved = SavedIndexFile.in(state, uuid, device);
            String temporary = "." + saved.path().getFileName() + ".tmp";

            boolean leftover = killDuringASave(List.of(filesystem.mountPoint().toString(), state.toString(), uuid,
                    String.valueOf(device.major()), String.valueOf(device.minor())), temporary);
            System.out.println("the kill left the temporary file: " + leftover + "; saved index: "
                    + Files.exists(saved.path()));

            List<Path> files;
            try (Stream<Path> listing = Files.list(filesystem.mountPoint())) {
                files = listing.filter(Files::isRegularFile).toList();
            }
            Map<Long, List<Long>> truth = liveOwners(files);
            RecordingLogger log = new RecordingLogger();
            try (LiveReverseMap map = LiveReverseMap.start(filesystem.mountPointBytes(),
                    IndexOptions.defaults().withSavedIndex(Optional.of(saved)), log, p -> {
                    })) {
                assertThat(map.awaitIndex(Duration.ofMinutes(2))).isTrue();
                for (Map.Entry<Long, List<Long>> block : truth.entrySet()) {
                    assertThat(ownersOf(map, block.getKey())).as("block %d", block.getKey())
                            .isEqualTo(block.getValue());
                }
                assertThat(log.lines(System.Logger.Level.WARNING)).as("nothing to discard").isEmpty();
            }
            assertThat(state.resolve(temporary)).as("the leftover replaced by a save").doesNotExist();
            assertThat(saved.path()).isRegularFile();
        }
    }

    /** Starts the driver, kills it with SIGKILL when its temporary file is made for the KILL_AT_SAVE-th time. */
    private boolean killDuringASave(List<String> arguments, String temporary) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> argv = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                SavedIndexSaveLoopDriver.class.getName()));
        argv.addAll(arguments);
        try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
            state.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
            Process child = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectOutput(state.resolve("driver.out").toFile()).start();
            try {
                int saves = 0;
                while (saves < KILL_AT_SAVE) {
                    WatchKey key = watcher.poll(2, TimeUnit.MINUTES); // a bound against hanging only
                    assertThat(key).as("a save within two minutes; driver: %s", driverOutput()).isNotNull();
                    for (WatchEvent<?> event : key.pollEvents()) {
                        if (temporary.equals(String.valueOf(event.context()))) {
                            saves++;
                        }
                    }
                    key.reset();
                    assertThat(child.isAlive()).as("driver: %s", driverOutput()).isTrue();
                }
                child.destroyForcibly(); // SIGKILL
                assertThat(child.waitFor(1, TimeUnit.MINUTES)).isTrue();
                assertThat(child.exitValue()).isEqualTo(128 + 9);
            } finally {
                child.destroyForcibly();
            }
        }
        return Files.exists(state.resolve(temporary));
    }

    private String driverOutput() {
        try (BufferedReader reader = Files.newBufferedReader(state.resolve("driver.out"),
                StandardCharsets.UTF_8)) {
            return String.join("\n", reader.lines().toList());
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
