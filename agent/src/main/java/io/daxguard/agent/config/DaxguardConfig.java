package io.daxguard.agent.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.util.List;
import java.util.Objects;

/**
 * The whole configuration file ({@code conf/daxguard.yaml}), bound by Jackson and checked by Hibernate
 * Validator. A section or value left out takes its embedded default, so an empty file (or none) is a valid
 * configuration. Relative paths are resolved against the daxguard home directory.
 *
 * @param sources         where failures come from
 * @param scrub           the background read-verify of written data
 * @param stateDirectory  what must survive a restart (the ledger, scrub positions)
 * @param jmx             local and remote JMX
 * @param plugins         where plugins are loaded from, and their settings
 * @param replica         where restore copies good data from
 * @param mbeans          limits on the MBeans registered
 * @param metrics         Dropwizard metrics
 * @param http            the optional Jolokia HTTP/JSON bridge
 * @param watch           directories whose filesystems to hold (mounted at or below one); empty: every one
 * @param notifications   section {@code notify} (a name a record component cannot have): hooks, programs run for
 *                        the events the agent announces
 * @param recovery        recovery policies: what is done by itself about new damage; none: every repair is manual
 * @param ledger          where the damage ledger is: SQLite in {@code stateDirectory}, or a PostgreSQL database
 *                        shared by a fleet ({@code ledger.url})
 * @param lockMemory      keep the pages the agent has used in memory ({@code mlockall} on fault, once started), so
 *                        answering a failure never waits for its own code to be read back from a disk; the
 *                        resident size stays what it uses
 */
public record DaxguardConfig(
        @NotNull @Valid SourcesConfig sources,
        @NotNull @Valid ScrubConfig scrub,
        @NotBlank String stateDirectory,
        @NotNull @Valid JmxConfig jmx,
        @NotNull @Valid PluginsConfig plugins,
        @NotNull @Valid ReplicaConfig replica,
        @NotNull @Valid MBeansConfig mbeans,
        @NotNull @Valid MetricsConfig metrics,
        @NotNull @Valid HttpConfig http,
        @NotNull List<@NotBlank String> watch,
        @JsonProperty("notify") @NotNull @Valid NotifyConfig notifications,
        @NotNull @Valid RecoveryConfig recovery,
        @NotNull @Valid LedgerConfig ledger,
        @NotNull Boolean lockMemory) {

    public DaxguardConfig {
        sources = Objects.requireNonNullElseGet(sources, SourcesConfig::defaults);
        scrub = Objects.requireNonNullElseGet(scrub, ScrubConfig::defaults);
        stateDirectory = Objects.requireNonNullElse(stateDirectory, "/var/lib/daxguard");
        jmx = Objects.requireNonNullElseGet(jmx, JmxConfig::defaults);
        plugins = Objects.requireNonNullElseGet(plugins, PluginsConfig::defaults);
        replica = Objects.requireNonNullElseGet(replica, ReplicaConfig::defaults);
        mbeans = Objects.requireNonNullElseGet(mbeans, MBeansConfig::defaults);
        metrics = Objects.requireNonNullElseGet(metrics, MetricsConfig::defaults);
        http = Objects.requireNonNullElseGet(http, HttpConfig::defaults);
        watch = List.copyOf(Objects.requireNonNullElse(watch, List.of()));
        notifications = Objects.requireNonNullElseGet(notifications, NotifyConfig::defaults);
        recovery = Objects.requireNonNullElseGet(recovery, RecoveryConfig::defaults);
        ledger = Objects.requireNonNullElseGet(ledger, LedgerConfig::defaults);
        lockMemory = Objects.requireNonNullElse(lockMemory, true);
    }

    /** This configuration with another state directory ({@code daxguard run --state-dir}). */
    public DaxguardConfig withStateDirectory(String directory) {
        return new DaxguardConfig(sources, scrub, directory, jmx, plugins, replica, mbeans, metrics, http, watch,
                notifications, recovery, ledger, lockMemory);
    }

    /** The embedded default configuration: what {@code daxguard run} uses without {@code --config}. */
    public static DaxguardConfig defaults() {
        return new DaxguardConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }
}
