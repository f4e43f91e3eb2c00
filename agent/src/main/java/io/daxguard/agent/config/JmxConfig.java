package io.daxguard.agent.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.util.Objects;

/**
 * JMX.
 *
 * @param local   register the MBeans in the JVM's platform MBean server, where jconsole and
 *                {@code daxguard status} find them by local attach (same user)
 * @param remote  the remote connector, off by default
 */
public record JmxConfig(Boolean local, @NotNull @Valid RemoteJmxConfig remote) {
    public JmxConfig {
        local = Objects.requireNonNullElse(local, true);
        remote = Objects.requireNonNullElseGet(remote, RemoteJmxConfig::defaults);
    }

    static JmxConfig defaults() {
        return new JmxConfig(null, null);
    }
}
