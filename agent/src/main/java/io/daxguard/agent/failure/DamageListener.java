package io.daxguard.agent.failure;

import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.agent.topology.Topology;

/**
 * Told what the pipeline does, through {@link DamageEvents}. Called on the router thread ({@link #recorded} on the
 * ledger's writer thread, once the record is durable; {@link #attached} and {@link #topologyChanged} on the thread
 * refreshing the topology), after the ledger has the record, so a listener must be quick and must not block.
 */
public interface DamageListener {
    /** A tuple arrived, before routing. */
    default void received(FailureTuple tuple) {
    }

    /** A new record is in the ledger. */
    default void recorded(DamageRecord record) {
    }

    /** Known damage was reported again. */
    default void seenAgain(DamageRecord record) {
    }

    /**
     * Known damage was reported again, by {@code source} (the tuple's, which may differ from the record's: a page found
     * by a scrub that the kernel then reports touched). By default the same as {@link #seenAgain(DamageRecord)}.
     */
    default void seenAgain(DamageRecord record, String source) {
        seenAgain(record);
    }

    /** A filesystem was attached to its plugin (at start, or when it was mounted); its holder may still be indexing. */
    default void attached(AttachedFilesystem filesystem) {
    }

    /** Devices or mounts changed; filesystems have been attached or detached to match. */
    default void topologyChanged(Topology topology) {
    }
}
