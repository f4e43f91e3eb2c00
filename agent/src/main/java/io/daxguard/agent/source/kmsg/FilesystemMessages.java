package io.daxguard.agent.source.kmsg;

import io.daxguard.spi.MemberFailure;
import java.util.List;

/**
 * What the held filesystems' own kernel lines report ({@code Holder.failuresIn}): the kernel log source offers each
 * message to every holder through this, beside its own parsing of the block layer's lines.
 */
@FunctionalInterface
public interface FilesystemMessages {
    /** None: no filesystem reads the log (tests of the block layer's lines; an agent holding nothing yet). */
    FilesystemMessages NONE = message -> List.of();

    /**
     * The failures every holder finds in {@code message}, each with the type of the filesystem that reported it
     * (the tuple's source is {@code kmsg-<type>}); a holder that fails is passed over (logged by the caller's side).
     */
    List<Reported> failuresIn(String message);

    /**
     * Offers each message to every holder {@code holders} gives now; a holder that throws is passed over with a
     * warning (one filesystem's parser never keeps another's failures out).
     */
    static FilesystemMessages of(java.util.function.Supplier<List<io.daxguard.spi.Holder>> holders) {
        return message -> {
            List<Reported> reported = new java.util.ArrayList<>();
            for (io.daxguard.spi.Holder holder : holders.get()) {
                try {
                    for (MemberFailure failure : holder.failuresIn(message)) {
                        reported.add(new Reported(holder.mount().fsType(), failure));
                    }
                } catch (java.io.IOException | RuntimeException e) {
                    System.getLogger(FilesystemMessages.class.getName()).log(System.Logger.Level.WARNING,
                            "the holder of " + holder.mount().mountPoint() + " failed to read a kernel message: " + e);
                }
            }
            return reported;
        };
    }

    /** A failure one filesystem of type {@code fsType} reported. */
    record Reported(String fsType, MemberFailure failure) {
        public Reported {
            java.util.Objects.requireNonNull(fsType, "fsType is null");
            java.util.Objects.requireNonNull(failure, "failure is null");
        }
    }
}
