package io.daxguard.agent.config;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.List;
import java.util.Objects;

/**
 * Where {@code restore} copies good data from.
 *
 * @param provider  class name of a vendor's replica provider plugin, or empty for none (restore then needs a path)
 * @param roots     the only directories replicas are read from, absolute: a replica path (given or from the
 *                  provider) must lie under one; empty, the default: no replica can be read
 */
public record ReplicaConfig(@Pattern(regexp = "|[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)*",
        message = "must be empty or a Java class name") String provider,
        @NotNull List<@NotNull @Pattern(regexp = "/.*", message = "must be an absolute path") String> roots) {
    public ReplicaConfig {
        provider = Objects.requireNonNullElse(provider, "");
        roots = roots == null ? List.of() : roots.stream().toList();
    }

    static ReplicaConfig defaults() {
        return new ReplicaConfig(null, null);
    }
}
