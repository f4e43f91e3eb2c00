package io.daxguard.agent.jmx;

import io.daxguard.agent.failure.DamageEvents;
import io.daxguard.agent.owners.OwnerLookup;
import io.daxguard.agent.plugins.Filesystems;
import io.daxguard.agent.route.LiveTopology;
import io.daxguard.agent.source.operator.OperatorReports;
import java.util.Objects;

/**
 * What the MBeans read and call of the pipeline: the topology (Device MBeans, {@code refreshTopology}), the held
 * filesystems, the owner lookup ({@code resolve}), the events the surface listens to, and operator reports
 * ({@code reportFailure}).
 */
public record Pipeline(LiveTopology topology, Filesystems filesystems, OwnerLookup owners, DamageEvents events,
                       OperatorReports reports) {
    public Pipeline {
        Objects.requireNonNull(topology, "topology is null");
        Objects.requireNonNull(filesystems, "filesystems is null");
        Objects.requireNonNull(owners, "owners is null");
        Objects.requireNonNull(events, "events is null");
        Objects.requireNonNull(reports, "reports is null");
    }
}
