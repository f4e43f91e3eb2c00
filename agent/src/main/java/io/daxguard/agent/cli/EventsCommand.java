package io.daxguard.agent.cli;

import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.LedgerReader;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code daxguard events}: the ledger's history, like {@code zpool events} or {@code ras-mc-ctl --errors}: every
 * damage detected (or inherited when a filesystem was re-made on a damaged disk) and every entry of the audit trail
 * (repairs and who made them, acknowledgements, FILE_GONE and FILESYSTEM_GONE changes), in time order. Reads the ledger
 * of the state directory directly and read-only ({@link LedgerReader}), so it works with the agent stopped and never
 * disturbs one that runs.
 *
 * <p>{@code --follow} keeps printing what is committed after the first listing. SQLite tells no other process of a
 * commit, so it polls {@link LedgerReader#changeCount()} every {@link #POLL_MILLIS} ms: {@code PRAGMA data_version}, a
 * read of the write-ahead log's index in shared memory that takes no lock a writer waits for (or, while no agent has
 * the ledger open, whether its log appeared). Only when it changed are the records and audit entries with ids above
 * the last printed ones read (ids grow in commit order). It ends when its thread is interrupted (Ctrl-C ends the JVM).
 */
@Command(name = "events", description = "List the ledger's history: damage detected, repairs, state changes; "
        + "reads the ledger directly, with or without a running agent.")
final class EventsCommand implements Callable<Integer> {
    static final long POLL_MILLIS = 250;

    @Option(names = "--since", paramLabel = "TIME", converter = SinceConverter.class,
            description = "Only events at or after TIME: 2026-11-23T10:15:30Z, 2026-11-23T10:15 or 2026-11-23 "
                    + "(local time), or an age: 30s, 15m, 1h, 2d, 1w")
    Instant since;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new events as they are committed (until Ctrl-C)")
    boolean follow;

    @Option(names = "--json", description = "One JSON object per event and line, for scripts")
    boolean json;

    @Mixin
    LedgerLocation location = new LedgerLocation();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        return location.withLedger(err, ledger -> {
            // Read before the listing: whatever is committed while it is read is seen by the first poll.
            long version = ledger.changeCount();
            List<DamageRecord> records = ledger.records();
            List<LedgerReader.AuditRow> audit = ledger.audit();
            List<LedgerEvent> events = LedgerEvent.of(records, audit);
            print(events, out);
            if (!follow) {
                if (events.stream().noneMatch(this::shown) && !json) {
                    out.println("no events in " + ledger.file() + (since == null ? "" : " since " + since));
                }
                out.flush();
                return ExitCode.OK;
            }
            long lastRecord = records.stream().mapToLong(DamageRecord::id).max().orElse(Long.MIN_VALUE);
            long lastAudit = audit.stream().mapToLong(LedgerReader.AuditRow::id).max().orElse(Long.MIN_VALUE);
            while (true) {
                try {
                    Thread.sleep(POLL_MILLIS);
                } catch (InterruptedException stop) {
                    Thread.currentThread().interrupt();
                    return ExitCode.OK;
                }
                long now = ledger.changeCount();
                if (now == version) {
                    continue;
                }
                version = now;
                List<DamageRecord> newRecords = ledger.recordsAfter(lastRecord);
                List<LedgerReader.AuditRow> newAudit = ledger.auditAfter(lastAudit);
                lastRecord = newRecords.stream().mapToLong(DamageRecord::id).max().orElse(lastRecord);
                lastAudit = newAudit.stream().mapToLong(LedgerReader.AuditRow::id).max().orElse(lastAudit);
                print(LedgerEvent.of(newRecords, newAudit), out);
            }
        });
    }

    private boolean shown(LedgerEvent event) {
        return since == null || !event.at().isBefore(since);
    }

    private void print(List<LedgerEvent> events, PrintWriter out) {
        for (LedgerEvent event : events) {
            if (shown(event)) {
                out.println(json ? oneLine(event) : event.text());
            }
        }
        out.flush();
    }

    private static String oneLine(LedgerEvent event) {
        return Json.line(event.fields());
    }
}
