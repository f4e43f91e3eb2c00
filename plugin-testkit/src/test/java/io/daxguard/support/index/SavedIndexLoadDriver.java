package io.daxguard.support.index;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.LinuxPath;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Run in a child JVM by {@link SavedIndexLargerThanTheHeapAdversarialTest}, with the heap and flags of the shipped
 * launcher: starts a map of {@code MOUNT} from the saved index {@code STATE UUID MAJOR MINOR}, prints {@code ready
 * <bool>} and the inodes owning the block at {@code OFFSET} ({@code owners [..]}), then {@code done}.
 */
public final class SavedIndexLoadDriver {
    private SavedIndexLoadDriver() {
    }

    public static void main(String[] args) throws Exception {
        LinuxPath mount = LinuxPath.of(Path.of(args[0]));
        SavedIndexFile saved = SavedIndexFile.in(Path.of(args[1]), args[2],
                new DeviceNumber(Integer.parseInt(args[3]), Integer.parseInt(args[4])));
        long offset = Long.parseLong(args[5]);
        try (LiveReverseMap map = LiveReverseMap.start(mount, IndexOptions.defaults().withSavedIndex(Optional.of(saved)),
                System.getLogger("driver"), p -> {
                })) {
            System.out.println("ready " + map.awaitIndex(Duration.ofMinutes(2)));
            try {
                System.out.println("owners " + map.ownersOfAllocated(offset, offset + 4096).stream()
                        .filter(FileOwner.class::isInstance).map(owner -> ((FileOwner) owner).inode()).toList());
            } catch (java.io.IOException e) {
                System.out.println("question failed: " + e.getMessage());
            }
            System.out.println("status " + map.status().state() + ": " + map.status().message());
        }
        System.out.println("done");
    }
}
