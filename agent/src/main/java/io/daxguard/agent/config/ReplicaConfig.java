package io.daxguard.agent.config;

import jakarta.validation.constraints.Pattern;
import java.util.Objects;

/**
 * Where {@code restore} copies good data from when the operator names no path.
 *
 * @param provider  class name of a vendor's replica provider plugin, or empty for none (restore then needs a path)
 */
public record ReplicaConfig(@Pattern(regexp = "|[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)*",
        message = "must be empty or a Java class name") String provider) {
    public ReplicaConfig {
        provider = Objects.requireNonNullElse(provider, "");
    }

    static ReplicaConfig defaults() {
        return new ReplicaConfig(null);
    }
}
