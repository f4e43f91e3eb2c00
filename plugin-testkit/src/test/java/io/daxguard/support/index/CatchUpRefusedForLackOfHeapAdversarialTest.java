package io.daxguard.support.index;

import static io.daxguard.support.index.LiveReverseMapContract.write;
import static io.daxguard.support.index.SavedIndexAttacks.extentsOf;
import static io.daxguard.support.index.SavedIndexAttacks.inodeOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A saved index loads, and the catch-up build after it is refused for lack of heap ({@link HeapBudget}). */
@Tag("mount")
class CatchUpRefusedForLackOfHeapAdversarialTest {
    @TempDir
    Path state;

    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd("mkfs.ext4", "blkid");
    }

    /**
     * A saved index that loads, on a filesystem whose full build the heap cannot hold (refused by {@link HeapBudget}):
     * the catch-up build never runs, so the map answers from what was saved for good. Its status must say so, not
     * READY as if it had caught up (a first start without a saved index shows FAILED with the reason); and a file made
     * while the agent was down is never given a wrong owner.
     */
    @Test
    void aCatchUpBuildRefusedForLackOfHeapIsNotShownAsReady() throws Exception {
        try (ScratchFilesystem filesystem = ScratchFilesystem.ext4().mkfsOptions("-b", "4096", "-N", "40000")
                .create()) {
            Path many = java.nio.file.Files.createDirectory(filesystem.path("many"));
            Command.run("sh", "-c", "cd " + many + " && seq 1 30000 | xargs touch");
            String uuid = Command.run("blkid", "-s", "UUID", "-o", "value", filesystem.device().toString()).strip();
            DeviceNumber device = filesystem.deviceNumber();
            SavedIndexFile saved = SavedIndexFile.in(state, uuid, device);
            try (LiveReverseMap first = LiveReverseMap.start(filesystem.mountPointBytes(),
                    IndexOptions.defaults().withSavedIndex(java.util.Optional.of(saved)),
                    new SavedIndexAttacks.RecordingLogger(), p -> {
                    })) {
                assertThat(first.awaitIndex(java.time.Duration.ofMinutes(5))).isTrue();
            }
            Path whileDown = write(filesystem.path("while-down"), 16 * 4096, 2);

            List<String> output = new ArrayList<>();
            int exit = SavedIndexLargerThanTheHeapAdversarialTest.runDriver("-Xmx72m", List.of(
                    filesystem.mountPoint().toString(), state.toString(), uuid, String.valueOf(device.major()),
                    String.valueOf(device.minor()), String.valueOf(extentsOf(whileDown).get(0).physical())), output);

            String everything = String.join("\n", output);
            assertThat(exit).as(everything).isZero();
            assertThat(everything).as("precondition: the catch-up build refused").contains("not indexing");
            String right = "owners [" + inodeOf(whileDown) + "]";
            assertThat(output).as("never a wrong owner: %s", everything).noneMatch(line -> line.startsWith("owners ")
                    && !line.equals("owners []") && !line.equals(right));
            assertThat(output).as(everything).filteredOn(line -> line.startsWith("status "))
                    .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                    .doesNotStartWith("status READY");
        }
    }
}
