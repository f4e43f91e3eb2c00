package io.daxguard.agent.source.kmsg;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the kernel log is read from at start, by what the state directory kept (the boot id file stands for a boot). */
class KmsgCursorTest {
    @TempDir
    Path directory;
    private Path file;
    private Path bootId;

    @BeforeEach
    void oneBoot() throws Exception {
        file = directory.resolve("kmsg.cursor");
        bootId = Files.writeString(directory.resolve("boot_id"), "6d7fd07e-86af-48ef-9b30-1afc9ad7076a\n");
    }

    @Test
    void aStateDirectoryThatNeverReadTheLogStartsWhereTheConfigurationSays() {
        assertThat(KmsgCursor.in(file, bootId).start(false)).isEqualTo(new KmsgCursor.Start.End());
        assertThat(KmsgCursor.in(file, bootId).start(true)).isEqualTo(new KmsgCursor.Start.Oldest());
    }

    @Test
    void inTheSameBootReadingGoesOnAfterThePositionKept() {
        KmsgCursor.in(file, bootId).save(4711);

        assertThat(KmsgCursor.in(file, bootId).start(false)).isEqualTo(new KmsgCursor.Start.After(4711));
    }

    @Test
    void afterARebootTheWholeRetainedLogIsReadOnce() throws Exception {
        KmsgCursor.in(file, bootId).save(4711);
        Files.writeString(bootId, "0a1b2c3d-0000-4000-8000-000000000000\n");

        assertThat(KmsgCursor.in(file, bootId).start(false)).isEqualTo(new KmsgCursor.Start.Oldest());
    }

    @Test
    void aPositionThatCannotBeReadSkipsNothing() throws Exception {
        Files.writeString(file, "half a line");

        assertThat(KmsgCursor.in(file, bootId).start(false)).isEqualTo(new KmsgCursor.Start.Oldest());
    }

    @Test
    void savingLeavesNoTemporaryFileBehind() throws Exception {
        KmsgCursor.in(file, bootId).save(1);
        KmsgCursor.in(file, bootId).save(2);

        try (var files = Files.list(directory)) {
            assertThat(files.map(path -> path.getFileName().toString())).containsExactlyInAnyOrder("kmsg.cursor",
                    "boot_id");
        }
    }
}
