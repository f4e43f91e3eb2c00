package io.daxguard.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What this JVM's open file descriptors point at, from {@code /proc/self/fd}: a holder must keep none on a
 * mount point, or the administrator's {@code umount} fails with EBUSY.
 */
public final class OpenDescriptors {
    private OpenDescriptors() {
    }

    /** The targets of every open descriptor, as {@code readlink /proc/self/fd/N} shows them. */
    public static List<String> targets() {
        try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
            return descriptors.map(OpenDescriptors::target).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String target(Path descriptor) {
        try {
            return Files.readSymbolicLink(descriptor).toString();
        } catch (IOException closedMeanwhile) {
            return "";
        }
    }
}
