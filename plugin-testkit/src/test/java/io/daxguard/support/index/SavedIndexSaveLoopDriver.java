package io.daxguard.support.index;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.LinuxPath;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Run in a child JVM by {@link SavedIndexKilledDuringASaveAdversarialTest} until killed: a map of {@code MOUNT} saving
 * into {@code STATE UUID MAJOR MINOR}, made to build and save again and again (a new file, then a question about a
 * block of it, which the index must refresh to answer). Prints {@code ready} once the first index is there.
 */
public final class SavedIndexSaveLoopDriver {
    private SavedIndexSaveLoopDriver() {
    }

    public static void main(String[] args) throws Exception {
        Path mount = Path.of(args[0]);
        SavedIndexFile saved = SavedIndexFile.in(Path.of(args[1]), args[2],
                new DeviceNumber(Integer.parseInt(args[3]), Integer.parseInt(args[4])));
        LiveReverseMap map = LiveReverseMap.start(LinuxPath.of(mount), IndexOptions.defaults()
                .withSavedIndex(Optional.of(saved)), System.getLogger("driver"), p -> {
                });
        System.out.println("ready " + map.awaitIndex(Duration.ofMinutes(2)));
        System.out.flush();
        for (int i = 0; ; i++) {
            Path file = LiveReverseMapContract.write(mount.resolve("loop-" + i), 4 * 4096, i);
            long block = SavedIndexAttacks.extentsOf(file).get(0).physical();
            map.ownersOfAllocated(block, block + 4096);
        }
    }
}
