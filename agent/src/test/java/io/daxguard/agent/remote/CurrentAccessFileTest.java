package io.daxguard.agent.remote;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The access file as it is now, on a real filesystem: every edit is seen, however it is made. */
class CurrentAccessFileTest {
    /** Both lines have the same length: an edit from one to the other keeps the file's size. */
    private static final String CONTROL = "alice control\n";
    private static final String MONITOR = "alice monitor\n";

    @TempDir
    Path directory;
    private Path file;
    private final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
    private final Logger log = Logger.getLogger(CurrentAccessFile.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                warnings.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void listen() {
        file = directory.resolve("jmxremote.access");
        log.addHandler(capture);
    }

    @AfterEach
    void stopListening() {
        log.removeHandler(capture);
    }

    /** What the file's stat says: equal before and after an edit means the stat alone cannot see it. */
    private static Map<String, Object> stat(Path file) throws Exception {
        return Files.readAttributes(file, "unix:lastModifiedTime,ctime,size,dev,ino");
    }

    /**
     * On ext4 with 128-byte inodes a timestamp counts whole seconds (recent kernels otherwise give a file changed
     * after a stat a finer time than it had), so two writes a moment apart usually share every field of the stat:
     * whether they did is checked, and tried again when a second passed between them.
     */
    @Test
    void aSameSizeEditWithinTheTimestampTickOfTheFileReadIsSeen() throws Exception {
        try (ScratchFilesystem coarse = ScratchFilesystem.ext4().mkfsOptions("-I", "128").create()) {
            Path onCoarse = coarse.path("jmxremote.access");
            for (int attempt = 0; ; attempt++) {
                Files.writeString(onCoarse, CONTROL);
                CurrentAccessFile roles = new CurrentAccessFile(onCoarse);
                Map<String, Object> read = stat(onCoarse);
                Files.writeString(onCoarse, MONITOR);
                if (!stat(onCoarse).equals(read)) {
                    assertThat(attempt).as("attempts to write twice within one second").isLessThan(20);
                    continue;
                }

                assertThat(roles.roleOf("alice")).contains(Role.MONITOR);
                return;
            }
        }
    }

    @Test
    void aFileRenamedOverTheOldOneWithItsTimeAndSizeIsSeen() throws Exception {
        Files.writeString(file, CONTROL);
        FileTime modified = Files.getLastModifiedTime(file);
        // Timestamps trusted at once: only the stamp, not a racy re-read, can see this edit.
        CurrentAccessFile roles = new CurrentAccessFile(file, Duration.ofSeconds(-1));
        Path edited = directory.resolve("jmxremote.access.new");
        Files.writeString(edited, MONITOR);
        Files.setLastModifiedTime(edited, modified);
        Files.move(edited, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        assertThat(roles.roleOf("alice")).contains(Role.MONITOR);
    }

    @Test
    void anInPlaceEditThatRestoresTheModificationTimeIsSeen() throws Exception {
        Files.writeString(file, CONTROL);
        FileTime modified = Files.getLastModifiedTime(file);
        CurrentAccessFile roles = new CurrentAccessFile(file, Duration.ofSeconds(-1));
        Files.writeString(file, MONITOR);
        Files.setLastModifiedTime(file, modified);

        assertThat(roles.roleOf("alice")).contains(Role.MONITOR);
    }

    @Test
    void aFileMadeInvalidGrantsNothingAndIsLoggedOnce() throws Exception {
        Files.writeString(file, CONTROL);
        CurrentAccessFile roles = new CurrentAccessFile(file);
        Files.write(file, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, '\n'});

        for (int ask = 0; ask < 3; ask++) {
            assertThat(roles.roleOf("alice")).isEmpty();
        }
        assertThat(warnings).singleElement().extracting(LogRecord::getMessage).asString()
                .contains(file.toString()).contains("no one has a role");
    }

    @Test
    void aFileWithALineThatIsNoRoleGrantsNothingToAnyone() throws Exception {
        Files.writeString(file, "alice control\nbob monitor\n");
        CurrentAccessFile roles = new CurrentAccessFile(file);
        Files.writeString(file, "alice control\nbob monitor\nmallory root\n");

        assertThat(roles.roleOf("alice")).isEmpty();
        assertThat(roles.roleOf("bob")).isEmpty();
        assertThat(warnings).singleElement().extracting(LogRecord::getMessage).asString().contains("line 3");
    }

    @Test
    void aFileFixedAfterItWasInvalidGrantsAgain() throws Exception {
        Files.writeString(file, CONTROL);
        CurrentAccessFile roles = new CurrentAccessFile(file);
        Files.writeString(file, "alice\n");
        assertThat(roles.roleOf("alice")).isEmpty();

        Files.writeString(file, CONTROL);

        assertThat(roles.roleOf("alice")).contains(Role.CONTROL);
    }

    @Test
    void aDeletedFileGrantsNothingAndTheSameFileBroughtBackGrantsAgain() throws Exception {
        Files.writeString(file, CONTROL);
        CurrentAccessFile roles = new CurrentAccessFile(file, Duration.ofSeconds(-1));
        Path aside = directory.resolve("aside");
        Files.move(file, aside);
        assertThat(roles.roleOf("alice")).isEmpty();

        // Back with its inode, times and size: nothing the first stamp would tell from the file it read.
        Files.move(aside, file);

        assertThat(roles.roleOf("alice")).contains(Role.CONTROL);
        assertThat(warnings).singleElement().extracting(LogRecord::getMessage).asString().contains("cannot be found");
    }

    @Test
    void aUserTheFileDoesNotListHasNoRole() throws Exception {
        Files.writeString(file, CONTROL);

        assertThat(new CurrentAccessFile(file).roleOf("bob")).isEqualTo(Optional.empty());
    }
}
