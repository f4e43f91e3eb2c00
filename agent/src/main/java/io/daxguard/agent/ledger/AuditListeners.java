package io.daxguard.agent.ledger;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** The listeners of a ledger's audit entries: each told in turn; one that throws is logged and the others still told. */
final class AuditListeners {
    private static final System.Logger LOG = System.getLogger(AuditListeners.class.getName());
    private final List<Consumer<AuditEntry>> listeners = new CopyOnWriteArrayList<>();

    void add(Consumer<AuditEntry> listener) {
        listeners.add(listener);
    }

    void audited(AuditEntry entry) {
        for (Consumer<AuditEntry> listener : listeners) {
            try {
                listener.accept(entry);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "a listener of the ledger's audit entries failed on "
                        + entry.action() + ": " + e, e);
            }
        }
    }
}
