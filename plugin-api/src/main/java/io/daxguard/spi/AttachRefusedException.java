package io.daxguard.spi;

import java.io.IOException;

/** A plugin declined to hold a filesystem; the message says why and what would fix it. */
public class AttachRefusedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final LinuxPath mountPoint;
    private final String reason;

    public AttachRefusedException(LinuxPath mountPoint, String reason) {
        super("cannot hold " + mountPoint + ": " + reason);
        this.mountPoint = mountPoint;
        this.reason = reason;
    }

    public AttachRefusedException(LinuxPath mountPoint, String reason, Throwable cause) {
        this(mountPoint, reason);
        initCause(cause);
    }

    public LinuxPath mountPoint() {
        return mountPoint;
    }

    /** The reason alone, without the mount point. */
    public String reason() {
        return reason;
    }
}
