package io.daxguard.agent.ledger;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The listeners of one kind of ledger event (its changes, its audit entries): each told in turn; one that throws is
 * logged and the others are still told.
 *
 * @param <T> the event
 */
final class Listeners<T> {
    private static final System.Logger LOG = System.getLogger(Listeners.class.getName());
    private final List<Consumer<T>> listeners = new CopyOnWriteArrayList<>();
    private final String of;
    private final Function<T, String> action;

    /**
     * @param of     what the listeners hear, for the log ("the ledger's changes")
     * @param action the audited action of an event, for the log
     */
    Listeners(String of, Function<T, String> action) {
        this.of = of;
        this.action = action;
    }

    static Listeners<LedgerChange> ofChanges() {
        return new Listeners<>("the ledger's changes", change -> change.audit().action());
    }

    static Listeners<AuditEntry> ofAuditEntries() {
        return new Listeners<>("the ledger's audit entries", AuditEntry::action);
    }

    void add(Consumer<T> listener) {
        listeners.add(listener);
    }

    void tell(T event) {
        for (Consumer<T> listener : listeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "a listener of " + of + " failed on " + action.apply(event) + ": "
                        + e, e);
            }
        }
    }
}
