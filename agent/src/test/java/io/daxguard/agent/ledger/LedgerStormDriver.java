package io.daxguard.agent.ledger;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Run in a child JVM by {@link CrashDuringStormTest}: records a storm of tuples (one unowned record each, at
 * offset {@code i * 4096}) and prints {@code ack <offset>} the moment each is durable, until it is killed.
 */
public final class LedgerStormDriver {
    private LedgerStormDriver() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path state = Path.of(args[0]);
        int tuples = Integer.parseInt(args[1]);
        PrintStream out = new PrintStream(System.out, false);
        SqliteDamageLedger ledger = SqliteDamageLedger.open(state, LedgerSettings.defaults(), Clock.systemUTC());
        for (int i = 0; i < tuples; i++) {
            long offset = i * 4096L;
            ledger.recordAsync(LedgerSamples.unowned(offset)).thenRun(() -> {
                synchronized (out) {
                    out.println("ack " + offset);
                    out.flush();
                }
            });
        }
        out.println("submitted");
        out.flush();
        Thread.sleep(Long.MAX_VALUE); // until killed: the test's kill -9 is the only way out
    }
}
