package io.daxguard.support.index;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.LinuxPath;
import java.io.IOException;

/**
 * The device of the filesystem a {@link LiveReverseMap} holds: the root's when first looked at. Why it is kept: the
 * held filesystem may be unmounted from the root (its superblock mounted elsewhere, so its fanotify mark stays) or
 * another filesystem mounted over it; a walk of the root would then index another filesystem's files, and name them
 * as owners of the held device's blocks. Thread-safe.
 */
final class HeldDevice {
    /** The root is not on the held filesystem: no index is built of it. */
    static final class RootNotHeldException extends IOException {
        private static final long serialVersionUID = 1L;

        RootNotHeldException(String message) {
            super(message);
        }
    }

    private final LinuxPath root;
    private volatile DeviceNumber device;
    private volatile String refusal;

    HeldDevice(LinuxPath root) {
        this.root = root;
    }

    /** The held device, null before the root was first looked at. */
    DeviceNumber device() {
        return device;
    }

    /** Why the last build was refused (the root on another device), or null when it was not. */
    String refusal() {
        return refusal;
    }

    /**
     * {@code rootDevice}, the root's device now, when it is the held one; the first device seen becomes the held one.
     *
     * @throws RootNotHeldException when the root is on another device; remembered as {@link #refusal} until
     *                              {@link #built}
     */
    DeviceNumber check(DeviceNumber rootDevice) throws RootNotHeldException {
        DeviceNumber held = device;
        if (held == null) {
            device = rootDevice;
            return rootDevice;
        }
        if (!held.equals(rootDevice)) {
            String reason = "the reverse-map index of " + root + " is not rebuilt: " + root + " is on device "
                    + rootDevice + " now, not on the held filesystem's " + held + " (unmounted from it, or another"
                    + " filesystem mounted over it); the last index stays, its owners confirmed on " + held + " only";
            refusal = reason;
            throw new RootNotHeldException(reason);
        }
        return rootDevice;
    }

    /** A build of the held filesystem succeeded: no refusal stands. */
    void built() {
        refusal = null;
    }
}
