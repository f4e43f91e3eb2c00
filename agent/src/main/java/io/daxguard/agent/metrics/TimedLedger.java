package io.daxguard.agent.metrics;

import com.codahale.metrics.Timer;
import io.daxguard.agent.ledger.Damage;
import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.spi.DeviceNumber;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** A ledger whose commits ({@link #record}, {@link #seenAgain}) are timed into {@code ledger.commit}. */
public final class TimedLedger implements DamageLedger {
    private final DamageLedger ledger;
    private final Timer commits;

    public TimedLedger(DamageLedger ledger, Timer commits) {
        this.ledger = Objects.requireNonNull(ledger, "ledger is null");
        this.commits = Objects.requireNonNull(commits, "commits is null");
    }

    @Override
    public DamageRecord record(Damage damage) {
        try (Timer.Context ignored = commits.time()) {
            return ledger.record(damage);
        }
    }

    @Override
    public Optional<DamageRecord> findOpenCovering(DeviceNumber device, long offset, long length) {
        return ledger.findOpenCovering(device, offset, length);
    }

    @Override
    public DamageRecord seenAgain(long id, Instant at) {
        try (Timer.Context ignored = commits.time()) {
            return ledger.seenAgain(id, at);
        }
    }

    @Override
    public List<DamageRecord> records() {
        return ledger.records();
    }

    @Override
    public void close() {
        ledger.close();
    }
}
