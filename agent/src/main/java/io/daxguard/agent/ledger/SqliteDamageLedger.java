package io.daxguard.agent.ledger;

import com.codahale.metrics.Timer;
import io.daxguard.spi.DeviceNumber;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The durable ledger: an embedded SQLite database ({@code ledger.db} in the state directory), or a PostgreSQL
 * database shared by a fleet ({@code ledger.url}), behind the in-memory truth. Both go through the same code and
 * statements ({@link LedgerStore}); what differs is in {@link LedgerDatabase}. Every row is stamped with this host
 * ({@link HostIdentity}) and only this host's rows are read and written. (The class keeps its name, which predates
 * the shared database, to keep merges with parallel work on the ledger simple.)
 *
 * <p>Every change is applied in memory at once and queued for the writer thread, which commits the queue in
 * batches: a storm of tuples costs one fsync per batch, not per tuple (group commit). A record's future
 * completes when its batch is committed, and only then is it announced.
 *
 * <p>When writing fails (disk full, read-only directory, database gone, connection to the server lost)
 * the writes stay queued and the memory stays the truth; {@link #health()} says what is wrong, listeners are told, and the writer retries
 * every {@link LedgerSettings#retryInterval()} with a fresh connection. A database that is not a database
 * or fails its quick check is moved aside ({@code ledger.db.corrupt-<millis>}) and a new one started, said
 * loudly in the health message.
 *
 * <p>Threads: one writer thread ({@code daxguard-ledger-writer}), owned here; {@link #close} lets it commit
 * what is queued (bounded by 10 s when the disk keeps failing) and stops it.
 *
 * <p>Over 400 lines because the write queue, the writer thread's batch, retry and health, and the start-up
 * replay and recovery of a corrupt database share one lock and one view of what is durable; the SQL is in
 * {@link LedgerStore} and the in-memory truth in {@link LedgerMemory}.
 */
public final class SqliteDamageLedger implements DamageLedger {
    private static final System.Logger LOG = System.getLogger(SqliteDamageLedger.class.getName());
    static final String FILE_NAME = "ledger.db";
    private static final long CLOSE_BOUND_MILLIS = 10_000;
    private static final long CHANGE_WAIT_SECONDS = 10;
    /** How long {@link #close} waits for the writer once it aborted the connection the writer waited on. */
    private static final long ABORT_WAIT_MILLIS = 5_000;

    private final LedgerDatabase database;
    private final HostIdentity host;
    private final LedgerSettings settings;
    private final Clock clock;
    private final Object lock = new Object();
    private final LedgerMemory memory;
    private final List<AuditEntry> auditTrail = new ArrayList<>();
    private final ArrayDeque<Write> queue = new ArrayDeque<>();
    private final List<Consumer<LedgerHealth>> healthListeners = new CopyOnWriteArrayList<>();
    private final Listeners<LedgerChange> changeListeners = Listeners.ofChanges();
    private final Listeners<AuditEntry> auditListeners = Listeners.ofAuditEntries();
    private final Thread writer;
    /** Volatile: {@link #close} reads it to abort a writer stuck on a server that does not answer. */
    private volatile LedgerStore store;
    /** Set by a {@link #close} that gave up on the writer: it stops at once, opening no new connection. */
    private boolean abandoned;
    private volatile LedgerHealth health;
    private String startNote = "";
    private boolean closing;
    private boolean compactionDue = true;
    private String lastProblem = "";
    /** The database could not be read at start: its rows of this host are merged into memory once it can. */
    private boolean replayPending;
    /** The next audit entry's id: given when it is queued, so a batch sent again after a lost commit inserts it once. */
    private long nextAuditId = 1;

    /** One queued write: what to run in the batch's transaction, and whom to tell once it is committed. */
    private record Write(SqlWork work, Runnable onDurable, boolean closesRecords) {
        Write(SqlWork work, Runnable onDurable) {
            this(work, onDurable, false);
        }
    }

    @FunctionalInterface
    private interface SqlWork {
        void run(LedgerStore store) throws SQLException;
    }

    /** Times each batch's transaction ({@code ledger.commit} in the agent's metrics). */
    private final Timer commits;

    private SqliteDamageLedger(LedgerDatabase database, HostIdentity host, LedgerSettings settings, Clock clock,
                               Timer commits) {
        this.commits = commits;
        this.database = database;
        this.host = host;
        this.settings = settings;
        this.clock = clock;
        this.memory = replay();
        this.writer = new Thread(this::writeLoop, "daxguard-ledger-writer");
        writer.setDaemon(true);
    }

    /**
     * Opens the ledger in {@code stateDirectory} (created if missing) and replays it into memory. Never fails
     * for an unusable directory or database: the ledger then starts empty, not durable, and keeps retrying.
     */
    public static SqliteDamageLedger open(Path stateDirectory, LedgerSettings settings, Clock clock) {
        return open(stateDirectory, settings, clock, new Timer());
    }

    /**
     * {@link #open(Path, LedgerSettings, Clock)}, timing every batch's transaction into {@code commits}; in the
     * shared database of {@link LedgerSettings#shared()} when there is one, stamped with this host.
     */
    public static SqliteDamageLedger open(Path stateDirectory, LedgerSettings settings, Clock clock, Timer commits) {
        return open(settings.shared().orElseGet(() -> LedgerDatabase.inStateDirectory(stateDirectory)),
                settings.host(), settings, clock, commits);
    }

    /** Opens the ledger of {@code host} in {@code database}; never fails, as {@link #open(Path, LedgerSettings, Clock)}. */
    public static SqliteDamageLedger open(LedgerDatabase database, HostIdentity host, LedgerSettings settings,
                                          Clock clock, Timer commits) {
        SqliteDamageLedger ledger = new SqliteDamageLedger(database, host, settings, clock, commits);
        ledger.writer.start();
        return ledger;
    }

    private LedgerMemory replay() {
        Path file = database.file().orElse(null);
        try {
            if (file != null) {
                Files.createDirectories(file.getParent());
            }
            LedgerMemory replayed;
            try {
                store = LedgerStore.open(database, host);
                replayed = load(store);
            } catch (SQLException e) {
                if (file == null || !LedgerStore.isCorruption(e)) {
                    throw e;
                }
                closeStore();
                moveAside(file, e);
                store = LedgerStore.open(database, host);
                replayed = load(store);
            }
            health = new LedgerHealth(true, startNote.isEmpty() ? "ok" : "ok; " + startNote, 0);
            nextAuditId = store.nextAuditId();
            return replayed;
        } catch (IOException | SQLException | RuntimeException e) {
            closeStore();
            // Above any audit id the database can hold, as for record ids below.
            nextAuditId = clock.millis() * 1000;
            health = failing("opening", e, 0);
            LOG.log(System.Logger.Level.ERROR, health.message());
            if (file == null) {
                // A shared database not reachable now: its rows of this host are merged in when it is.
                replayPending = true;
                startNote = "at start the database could not be read: this host's damage recorded before is"
                        + " shown once it can";
                health = new LedgerHealth(false, health.message() + "; " + startNote, 0);
            } else if (Files.isRegularFile(file)) {
                try (LedgerStore.ReadOnly readOnly = LedgerStore.openReadOnly(file)) {
                    LedgerMemory replayed = load(readOnly.store());
                    startNote = "at start the " + replayed.size() + " record(s) in it were replayed read-only";
                    Path wal = file.resolveSibling(file.getFileName() + "-wal");
                    if (!readOnly.sawWal() && Files.isRegularFile(wal) && Files.size(wal) > 0) {
                        // Its last commits are in a log this reader could not use: new ids must not clash with them.
                        replayed.startIdsAbove(clock.millis() * 1000);
                        startNote += ", without its write-ahead log " + wal + " (records only there are shown"
                                + " after the next start)";
                    }
                    health = new LedgerHealth(false, health.message() + "; " + startNote, 0);
                    return replayed;
                } catch (IOException | SQLException | RuntimeException unreadable) {
                    LOG.log(System.Logger.Level.ERROR, "cannot read " + file + " either: " + unreadable.getMessage());
                    startNote = "at start it could not be read either (" + unreadable.getMessage()
                            + "): damage recorded before is shown after the next start";
                    health = new LedgerHealth(false, health.message() + "; " + startNote, 0);
                }
            }
            // Ids above any the database can hold, so records made now never clash with it when it comes back.
            return new LedgerMemory(clock.millis() * 1000);
        }
    }

    private LedgerMemory load(LedgerStore from) throws SQLException {
        LedgerMemory replayed = new LedgerMemory(1);
        from.loadAll().forEach(replayed::load);
        auditTrail.clear();
        auditTrail.addAll(from.loadAudit());
        return replayed;
    }

    /** Keeps a corrupt database for a human and says so loudly, for as long as the agent runs. */
    private void moveAside(Path file, SQLException corruption) throws SQLException {
        Path aside = LedgerStore.moveAside(file, corruption, clock.millis());
        startNote = "the ledger database was corrupt (" + corruption.getMessage() + "); it was moved to " + aside
                + " and a new one started: damage recorded before is not replayed";
        LOG.log(System.Logger.Level.ERROR, startNote);
    }

    /** Unhealthy, saying why; what happened at start (a corrupt database moved aside, a read-only replay) stays said. */
    private LedgerHealth failing(String doing, Exception e, int pending) {
        LedgerHealth failing = LedgerHealth.failing(database, doing, e, pending, settings.retryInterval().toMillis());
        return startNote.isEmpty() ? failing
                : new LedgerHealth(false, failing.message() + "; " + startNote, failing.pendingWrites());
    }

    /** The SQLite file, when the ledger is in one. */
    public Path file() {
        return database.file().orElse(null);
    }

    /** Where the ledger is, for messages. */
    public LedgerDatabase database() {
        return database;
    }

    @Override
    public CompletableFuture<DamageRecord> recordAsync(Damage damage) {
        CompletableFuture<DamageRecord> durable = new CompletableFuture<>();
        synchronized (lock) {
            DamageRecord record = memory.add(damage);
            enqueue(new Write(store -> store.insert(record), () -> durable.complete(record)));
        }
        return durable;
    }

    @Override
    public Optional<DamageRecord> findOpenCovering(DeviceNumber device, long offset, long length) {
        synchronized (lock) {
            return memory.findOpenCovering(device, offset, length);
        }
    }

    @Override
    public DamageRecord seenAgain(long id, Instant at) {
        synchronized (lock) {
            DamageRecord updated = memory.seenAgain(id, at);
            enqueue(new Write(store -> store.seen(updated), () -> { }));
            return updated;
        }
    }

    @Override
    public List<DamageRecord> records() {
        synchronized (lock) {
            return memory.all();
        }
    }

    @Override
    public List<DamageRecord> recordsNaming(FileKey file) {
        synchronized (lock) {
            return memory.naming(file);
        }
    }

    @Override
    public List<DamageRecord> recordsOverlapping(DeviceNumber device, long offset, long length) {
        synchronized (lock) {
            return memory.overlapping(device, offset, length);
        }
    }

    @Override
    public Optional<DamageRecord> find(long id) {
        synchronized (lock) {
            return memory.find(id);
        }
    }

    @Override
    public List<DamageRecord> change(List<StateChange> changes, AuditEntry audit) {
        CompletableFuture<List<DamageRecord>> durable = changeAsync(changes, audit);
        awaitDurable(durable, audit.action());
        return durable.join();
    }

    @Override
    public CompletableFuture<List<DamageRecord>> changeAsync(List<StateChange> changes, AuditEntry audit) {
        CompletableFuture<List<DamageRecord>> durable = new CompletableFuture<>();
        synchronized (lock) {
            List<DamageRecord> snapshot = List.copyOf(memory.apply(changes));
            auditTrail.add(audit);
            long auditId = nextAuditId++;
            Instant at = audit.at();
            enqueue(new Write(store -> {
                for (DamageRecord record : snapshot) {
                    store.states(record, at);
                }
                store.audit(auditId, audit);
            }, () -> {
                // Listeners first: when change() returns, the views have followed (a closed file's MBean is gone).
                changeListeners.tell(new LedgerChange(snapshot, audit));
                auditListeners.tell(audit);
                durable.complete(snapshot);
            }, true));
        }
        return durable;
    }

    @Override
    public void audit(AuditEntry entry) {
        CompletableFuture<Void> durable = new CompletableFuture<>();
        synchronized (lock) {
            auditTrail.add(entry);
            long id = nextAuditId++;
            enqueue(new Write(store -> store.audit(id, entry), () -> {
                auditListeners.tell(entry);
                durable.complete(null);
            }));
        }
        awaitDurable(durable, entry.action());
    }

    private void awaitDurable(CompletableFuture<?> durable, String what) {
        try {
            durable.get(CHANGE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(what + " is applied in memory but not yet durable: " + health.message());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + ": interrupted while waiting for the ledger");
        } catch (ExecutionException e) {
            throw new IllegalStateException(what + ": " + e.getCause().getMessage());
        }
    }

    @Override
    public List<AuditEntry> history(FileKey key) {
        synchronized (lock) {
            return auditTrail.stream().filter(entry -> entry.file().sameFile(key)).toList();
        }
    }

    @Override
    public LedgerHealth health() {
        return health;
    }

    @Override
    public void onChange(Consumer<LedgerChange> listener) {
        changeListeners.add(listener);
    }

    @Override
    public void onAudit(Consumer<AuditEntry> listener) {
        auditListeners.add(listener);
    }

    @Override
    public void onHealthChange(Consumer<LedgerHealth> listener) {
        healthListeners.add(listener);
    }

    private void enqueue(Write write) {
        if (closing) {
            throw new IllegalStateException("the ledger is closed");
        }
        queue.add(write);
        lock.notifyAll();
    }

    private void writeLoop() {
        while (true) {
            List<Write> batch;
            synchronized (lock) {
                while (queue.isEmpty() && !closing && !compactionDue) {
                    waitQuietly(0);
                }
                if (queue.isEmpty() && closing || abandoned) {
                    break;
                }
                batch = new ArrayList<>(Math.min(queue.size(), settings.maxBatch()));
                for (Write write : queue) {
                    if (batch.size() == settings.maxBatch()) {
                        break;
                    }
                    batch.add(write);
                }
            }
            if (!commit(batch)) {
                synchronized (lock) {
                    if (abandoned || closing && giveUpOnClose()) {
                        break;
                    }
                    waitQuietly(settings.retryInterval().toMillis());
                }
            }
        }
        closeStore();
    }

    private long closeDeadline;

    private boolean giveUpOnClose() {
        if (closeDeadline == 0) {
            closeDeadline = System.currentTimeMillis() + CLOSE_BOUND_MILLIS;
        }
        if (System.currentTimeMillis() >= closeDeadline) {
            LOG.log(System.Logger.Level.ERROR, "ledger closed with " + queue.size() + " write(s) not durable: "
                    + health.message());
            return true;
        }
        return false;
    }

    /** Runs one batch in one transaction; false when it failed (the batch stays queued). */
    private boolean commit(List<Write> batch) {
        String doing = store == null ? "opening" : "writing";
        try {
            if (store == null) {
                if (database.file().isPresent()) {
                    Files.createDirectories(database.file().get().getParent());
                }
                store = LedgerStore.open(database, host);
                mergeLateReplay();
            }
            try (Timer.Context timing = commits.time()) {
                for (Write write : batch) {
                    write.work().run(store);
                }
                store.commit();
            }
            synchronized (lock) {
                for (int i = 0; i < batch.size(); i++) {
                    queue.removeFirst();
                }
            }
            if (batch.stream().anyMatch(Write::closesRecords)) {
                synchronized (lock) {
                    compactionDue = true;
                }
            }
            try {
                compactIfDue();
            } catch (SQLException e) {
                // The batch is durable; compaction is retried after the next closing change.
                store.rollback();
                LOG.log(System.Logger.Level.WARNING, "ledger compaction failed: " + e.getMessage());
            }
            batch.forEach(write -> write.onDurable().run());
            if (!health.durable()) {
                setHealth(new LedgerHealth(true, "ok; writes resumed at " + clock.instant()
                        + (startNote.isEmpty() ? "" : "; " + startNote), 0));
                LOG.log(System.Logger.Level.INFO, "ledger " + database.describe() + " is durable again");
            }
            return true;
        } catch (IOException | SQLException | RuntimeException e) {
            if (store != null) {
                store.rollback();
            }
            closeStore();
            int pending;
            synchronized (lock) {
                pending = queue.size();
            }
            LedgerHealth now = failing(doing, e, pending);
            String problem = LedgerHealth.cause(e);
            if (health.durable() || !problem.equals(lastProblem)) {
                LOG.log(System.Logger.Level.ERROR, now.message()); // once per distinct problem, not per retry
            }
            lastProblem = problem;
            setHealth(now);
            return false;
        }
    }

    /**
     * After a start without the database: this host's records and audit entries in it join memory. Their ids are
     * below the ones made since (those start above the start's clock in microseconds), so none clash.
     */
    private void mergeLateReplay() throws SQLException {
        if (!replayPending) {
            return;
        }
        List<DamageRecord> stored = store.loadAll();
        List<AuditEntry> audit = store.loadAudit();
        synchronized (lock) {
            for (DamageRecord record : stored) {
                if (memory.find(record.id()).isEmpty()) {
                    memory.load(record);
                }
            }
            auditTrail.addAll(0, audit);
            replayPending = false;
            startNote = "";
        }
    }

    private void compactIfDue() throws SQLException {
        boolean due;
        synchronized (lock) {
            due = compactionDue;
            compactionDue = false;
        }
        if (!due) {
            return;
        }
        List<Long> removed = store.compact(settings.keepClosed(), clock.instant().minus(settings.keepClosedFor()));
        if (!removed.isEmpty()) {
            synchronized (lock) {
                memory.remove(removed);
                Instant before = clock.instant().minus(settings.keepClosedFor());
                auditTrail.removeIf(entry -> entry.at().isBefore(before));
            }
        }
    }

    private void setHealth(LedgerHealth now) {
        health = now;
        healthListeners.forEach(listener -> listener.accept(now));
    }

    private void waitQuietly(long millis) {
        try {
            lock.wait(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeStore() {
        if (store != null) {
            store.close();
            store = null;
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closing) {
                return;
            }
            closing = true;
            lock.notifyAll();
        }
        try {
            writer.join(CLOSE_BOUND_MILLIS + settings.retryInterval().toMillis() + 1000);
            if (writer.isAlive()) {
                // Waiting on a server that does not answer (hung, or cut off: the socket timeout is a minute): the
                // writes still queued are given up as after the bound, and the connection with them.
                synchronized (lock) {
                    abandoned = true;
                }
                LOG.log(System.Logger.Level.ERROR, "ledger closed while " + database.describe()
                        + " did not answer: the writes not yet durable are lost");
                LedgerStore stuck = store;
                if (stuck != null) {
                    stuck.abort();
                }
                writer.join(ABORT_WAIT_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
