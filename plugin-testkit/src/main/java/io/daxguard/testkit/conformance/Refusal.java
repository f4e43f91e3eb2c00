package io.daxguard.testkit.conformance;

import io.daxguard.spi.Mount;
import java.util.List;
import java.util.Objects;

/**
 * A mount the plugin must refuse to hold, and what its refusal must tell the administrator to do.
 *
 * @param mount    the mount to attach to (a bind mount of a subdirectory, a filesystem made without a feature
 *                 the plugin needs...)
 * @param whatToDo words the refusal's reason must contain (case-insensitive), naming the fix, for example
 *                 {@code "attach a mount of"} or {@code "mkfs.xfs -m rmapbt=1"}; at least one
 * @param cleanup  undoes what was made for it; the suite closes it after the check
 */
public record Refusal(Mount mount, List<String> whatToDo, AutoCloseable cleanup) {
    public Refusal {
        Objects.requireNonNull(mount, "mount is null");
        Objects.requireNonNull(cleanup, "cleanup is null");
        whatToDo = List.copyOf(whatToDo);
        if (whatToDo.isEmpty() || whatToDo.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException("name the words of the fix the reason must contain");
        }
    }

    /** The plugin must refuse a bind mount of a subdirectory of {@code fs}, saying {@code whatToDo}. */
    public static Refusal ofBindMount(ConformanceFilesystem fs, String subdirectory, String... whatToDo)
            throws java.io.IOException {
        ConformanceFilesystem.BindMount bind = fs.bindMount(subdirectory);
        return new Refusal(bind.mount(), List.of(whatToDo), bind);
    }
}
