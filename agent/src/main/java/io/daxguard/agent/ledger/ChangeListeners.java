package io.daxguard.agent.ledger;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** The listeners of a ledger's changes: each told in turn; one that throws is logged and the others still told. */
final class ChangeListeners {
    private static final System.Logger LOG = System.getLogger(ChangeListeners.class.getName());
    private final List<Consumer<LedgerChange>> listeners = new CopyOnWriteArrayList<>();

    void add(Consumer<LedgerChange> listener) {
        listeners.add(listener);
    }

    void changed(LedgerChange change) {
        for (Consumer<LedgerChange> listener : listeners) {
            try {
                listener.accept(change);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "a listener of the ledger's changes failed on "
                        + change.audit().action() + ": " + e, e);
            }
        }
    }
}
