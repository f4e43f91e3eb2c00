package io.daxguard.agent.source.scrub;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The bucket on a clock of its own that only its sleeps advance: what it grants is checked against the time it
 * made its callers wait, with no dependence on how fast this machine runs.
 */
class TokenBucketTest {
    private static final long RATE = 1 << 20;

    private final AtomicLong now = new AtomicLong();
    private final TokenBucket bucket = new TokenBucket(RATE, now::get, now::addAndGet);

    /** The most the bucket may have granted by now: one second's burst plus the rate over the time passed. */
    private long allowance() {
        return RATE + (long) Math.ceil(now.get() * RATE / 1e9);
    }

    @Test
    void oneReaderIsGrantedNoMoreThanTheBurstPlusTheRateOverTheTimeItWaited() throws InterruptedException {
        for (int i = 0; i < 160; i++) {
            bucket.acquire(64 << 10);
        }

        assertThat(bucket.granted()).isEqualTo(10L << 20).isLessThanOrEqualTo(allowance());
    }

    @Test
    void readersOnSeveralThreadsTogetherAreGrantedNoMoreThanTheBurstPlusTheRate() throws Exception {
        List<Thread> readers = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread reader = new Thread(() -> {
                try {
                    for (int i = 0; i < 40; i++) {
                        bucket.acquire(64 << 10);
                        long granted = bucket.granted();
                        if (granted > allowance()) {
                            throw new AssertionError(granted + " bytes granted, allowance " + allowance());
                        }
                    }
                } catch (Throwable e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            });
            readers.add(reader);
            reader.start();
        }
        for (Thread reader : readers) {
            reader.join();
        }

        assertThat(failures).isEmpty();
    }

    @Test
    void aBucketMakesItsReaderWaitForEveryByteBeyondTheBurst() throws InterruptedException {
        for (int i = 0; i < 160; i++) {
            bucket.acquire(64 << 10);
        }

        assertThat(now.get()).isGreaterThanOrEqualTo(9_000_000_000L);
    }

    @Test
    void anUnlimitedBucketNeverWaitsAndStillCountsWhatItGranted() throws InterruptedException {
        TokenBucket unlimited = new TokenBucket(0, now::get, now::addAndGet);

        unlimited.acquire(1L << 40);

        assertThat(now.get() + " ns waited, " + unlimited.granted() + " granted").isEqualTo("0 ns waited, "
                + (1L << 40) + " granted");
    }
}
