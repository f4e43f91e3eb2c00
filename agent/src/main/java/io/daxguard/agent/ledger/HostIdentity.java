package io.daxguard.agent.ledger;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Which host a ledger row belongs to: every row is stamped with it, and an agent reads and updates only its own
 * host's rows, so several agents can share one database.
 *
 * @param machineId the host's {@code /etc/machine-id} (stable across renames; the key of its rows)
 * @param hostName  what people call the host ({@code ledger.hostName}, by default the host name), shown by
 *                  {@code daxguard fleet status}
 */
public record HostIdentity(String machineId, String hostName) {
    private static final Path MACHINE_ID = Path.of("/etc/machine-id");

    public HostIdentity {
        Objects.requireNonNull(machineId, "machineId is null");
        Objects.requireNonNull(hostName, "hostName is null");
        if (machineId.isBlank() || machineId.length() > 64) {
            throw new IllegalArgumentException("machineId must be 1 to 64 characters, was '" + machineId + "'");
        }
        if (hostName.isBlank() || hostName.length() > 255) {
            throw new IllegalArgumentException("hostName must be 1 to 255 characters, was '" + hostName + "'");
        }
    }

    /** This host: its machine id, and {@code hostName} or, when null or blank, its host name. */
    public static HostIdentity local(String hostName) {
        return new HostIdentity(localMachineId(),
                hostName == null || hostName.isBlank() ? localHostName() : hostName);
    }

    /** This host with its own host name. */
    public static HostIdentity local() {
        return local(null);
    }

    private static String localMachineId() {
        try {
            String id = Files.readString(MACHINE_ID, StandardCharsets.US_ASCII).trim();
            if (!id.isEmpty()) {
                return id;
            }
        } catch (IOException e) {
            // A container without /etc/machine-id: the host name is the best identity left.
        }
        return "host:" + localHostName();
    }

    /** The kernel's host name, as {@code hostname} prints it. */
    public static String localHostName() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).trim();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException e) {
            // Not Linux procfs: ask the resolver.
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
