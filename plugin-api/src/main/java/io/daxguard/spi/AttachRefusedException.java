package io.daxguard.spi;

import java.io.IOException;
import java.nio.file.Path;

/** A plugin declined to hold a filesystem; the message says why and what would fix it. */
public class AttachRefusedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final Path mountPoint;
    private final String reason;

    public AttachRefusedException(Path mountPoint, String reason) {
        super("cannot hold " + mountPoint + ": " + reason);
        this.mountPoint = mountPoint;
        this.reason = reason;
    }

    public AttachRefusedException(Path mountPoint, String reason, Throwable cause) {
        this(mountPoint, reason);
        initCause(cause);
    }

    public Path mountPoint() {
        return mountPoint;
    }

    /** The reason alone, without the mount point. */
    public String reason() {
        return reason;
    }
}
