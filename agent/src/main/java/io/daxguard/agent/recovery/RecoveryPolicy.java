package io.daxguard.agent.recovery;

import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.Signals;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What daxguard does by itself about new damage on the filesystems a policy matches (configuration
 * {@code recovery.policies}, validated there): the steps for damaged file data, in order, and those for damaged
 * metadata and free space. Checked again here, so a policy made in code holds the same rules.
 *
 * @param name             unique; the audit's principal is {@code policy:<name>}
 * @param watch            a mount point: filesystems mounted there or below (empty when matched by uuid)
 * @param uuid             one filesystem by its UUID (empty when matched by watch)
 * @param onFileDamage     steps for a damaged file, in order
 * @param signal           the signal signalMappers sends, by name
 * @param mode             when mappers are signalled
 * @param disposable       directories under the mount point, as {@code /dir} (display form), whose files may be
 *                         rewritten with zeros
 * @param onMetadataDamage steps for damaged metadata, in order
 * @param onFreeDamage     steps for damaged free space
 */
public record RecoveryPolicy(String name, Optional<LinuxPath> watch, Optional<String> uuid,
                             List<FileStep> onFileDamage, String signal, Mode mode, List<String> disposable,
                             List<MetadataStep> onMetadataDamage, List<FreeStep> onFreeDamage) {
    /** What a policy's audit entries have as principal before its name. */
    public static final String PRINCIPAL_PREFIX = "policy:";

    public RecoveryPolicy {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(watch, "watch is null");
        Objects.requireNonNull(uuid, "uuid is null");
        Objects.requireNonNull(mode, "mode is null");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a recovery policy needs a name");
        }
        if (watch.isPresent() == uuid.isPresent()) {
            throw new IllegalArgumentException("recovery policy " + name + " needs exactly one of watch and uuid");
        }
        watch.filter(path -> !path.isAbsolute()).ifPresent(path -> {
            throw new IllegalArgumentException("recovery policy " + name + ": watch must be absolute, was " + path);
        });
        Signals.number(signal);
        onFileDamage = List.copyOf(onFileDamage);
        disposable = disposable.stream().map(RecoveryPolicy::directory).toList();
        onMetadataDamage = List.copyOf(onMetadataDamage);
        onFreeDamage = List.copyOf(onFreeDamage);
    }

    /** A disposable directory as the display form of a path under the mount: {@code /cache/tmp}, no trailing slash. */
    private static String directory(String relative) {
        String trimmed = relative.replaceAll("/+", "/").replaceAll("^/|/$", "");
        if (trimmed.isEmpty() || Arrays.stream(trimmed.split("/")).anyMatch(part -> part.equals(".")
                || part.equals(".."))) {
            throw new IllegalArgumentException("a disposable directory must be a directory under the mount point "
                    + "without . or .., was \"" + relative + "\"");
        }
        return "/" + trimmed;
    }

    /** The signal's number (checked when the policy was made). */
    public int signalNumber() {
        return Signals.number(signal);
    }

    /** The disposable directory a file's path (display form, from the mount) lies under, if any. */
    public Optional<String> disposableDirectoryOf(String path) {
        return disposable.stream().filter(directory -> path.startsWith(directory + "/")).findFirst();
    }

    /** One line: what the policy does. */
    public String describe() {
        return "onFileDamage " + words(onFileDamage.stream().map(FileStep::word).toList())
                + "; signal " + signal.toUpperCase(Locale.ROOT) + "; mode " + mode.word()
                + "; disposable " + words(disposable)
                + "; onMetadataDamage " + words(onMetadataDamage.stream().map(MetadataStep::word).toList())
                + "; onFreeDamage " + words(onFreeDamage.stream().map(FreeStep::word).toList());
    }

    private static String words(List<String> words) {
        return words.isEmpty() ? "none" : words.stream().collect(Collectors.joining(", "));
    }

    /** The audit's principal for what this policy does. */
    public String principal() {
        return PRINCIPAL_PREFIX + name;
    }

    /** What is done to a damaged file, in the order the policy lists them. */
    public enum FileStep {
        /** Signal the processes whose mappings cover the damaged pages. */
        SIGNAL_MAPPERS("signalMappers"),
        /** Copy the damaged pages from the replica provider's copy; closes RESTORED, the chain stops. */
        RESTORE("restore"),
        /** Zeros over the damaged pages, for files under a disposable directory; closes REWRITTEN, the chain stops. */
        REWRITE("rewrite"),
        /** Move the file into .daxguard-quarantine, so nothing reads bad data silently. */
        QUARANTINE("quarantine");

        private final String word;

        FileStep(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }

        public static FileStep of(String word) {
            return Arrays.stream(values()).filter(step -> step.word.equals(word)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown file damage step \"" + word + "\""));
        }
    }

    /** What is done to a filesystem whose metadata is damaged. */
    public enum MetadataStep {
        FREEZE("freeze"), SHUTDOWN("shutdown");

        private final String word;

        MetadataStep(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }

        public static MetadataStep of(String word) {
            return Arrays.stream(values()).filter(step -> step.word.equals(word)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown metadata damage step \"" + word + "\""));
        }
    }

    /** What is done about damaged free space. */
    public enum FreeStep {
        CLEAR_POISON("clearPoison");

        private final String word;

        FreeStep(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }

        public static FreeStep of(String word) {
            return Arrays.stream(values()).filter(step -> step.word.equals(word)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown free-space damage step \"" + word + "\""));
        }
    }

    /**
     * When the processes mapping a damaged page are signalled. {@code EARLY} is the kernel's
     * {@code vm.memory_failure_early_kill=1}: at detection, whoever found it (a scrub, a failed read). {@code LATE}
     * only for damage the kernel itself reported as a poisoned page that was touched (a memory failure in the
     * kernel log).
     */
    public enum Mode {
        EARLY("early"), LATE("late");

        private final String word;

        Mode(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }

        public static Mode of(String word) {
            return Arrays.stream(values()).filter(mode -> mode.word.equals(word)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown mode \"" + word + "\": early or late"));
        }
    }
}
