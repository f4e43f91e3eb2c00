package io.daxguard.agent.failure;

import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.agent.topology.Topology;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The event fan-out of the pipeline: every {@link DamageListener} hears every event, in the order listeners were
 * added. A listener that throws is logged and keeps neither the others nor the tuple from going on. Events are
 * delivered on the thread that caused them (see {@link DamageListener}); nothing is queued here.
 */
public final class DamageEvents implements DamageListener {
    private static final System.Logger LOG = System.getLogger(DamageEvents.class.getName());

    private final List<DamageListener> listeners = new CopyOnWriteArrayList<>();

    public void add(DamageListener listener) {
        listeners.add(listener);
    }

    @Override
    public void received(FailureTuple tuple) {
        announce(listener -> listener.received(tuple));
    }

    @Override
    public void recorded(DamageRecord record) {
        announce(listener -> listener.recorded(record));
    }

    @Override
    public void seenAgain(DamageRecord record) {
        announce(listener -> listener.seenAgain(record));
    }

    @Override
    public void seenAgain(DamageRecord record, String source) {
        announce(listener -> listener.seenAgain(record, source));
    }

    @Override
    public void attached(AttachedFilesystem filesystem) {
        announce(listener -> listener.attached(filesystem));
    }

    @Override
    public void topologyChanged(Topology topology) {
        announce(listener -> listener.topologyChanged(topology));
    }

    private void announce(Consumer<DamageListener> event) {
        for (DamageListener listener : listeners) {
            try {
                event.accept(listener);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "a damage listener failed: " + e, e);
            }
        }
    }
}
