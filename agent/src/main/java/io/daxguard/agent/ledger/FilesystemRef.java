package io.daxguard.agent.ledger;

import java.util.Objects;

/** The filesystem an owner belongs to, as it was when the damage was found. */
public record FilesystemRef(String uuid, String mountPoint, String type) {
    public FilesystemRef {
        Objects.requireNonNull(uuid, "uuid is null");
        Objects.requireNonNull(mountPoint, "mountPoint is null");
        Objects.requireNonNull(type, "type is null");
    }
}
