package io.daxguard.support.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Independent calls made a few at a time: every item once, answers in the items' order, failures passed on. */
class OverlappedCallsTest {

    private static List<Integer> items(int count) {
        return IntStream.range(0, count).boxed().toList();
    }

    @Test
    void answersEveryItemOnceInTheItemsOrder() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        try (OverlappedCalls overlapped = new OverlappedCalls("test-overlapped", 3)) {
            List<Integer> answers = overlapped.each(items(1000), item -> {
                calls.incrementAndGet();
                return item * 2;
            });

            assertThat(answers).containsExactlyElementsOf(items(1000).stream().map(item -> item * 2).toList());
            assertThat(calls).hasValue(1000);
        }
    }

    @Test
    void makesCallsAtTheSameTimeOnItsThreadsAndTheCallers() throws Exception {
        int helpers = 3;
        // Each of the first helpers + 1 calls waits for all of them: only calls made at once can pass.
        CountDownLatch together = new CountDownLatch(helpers + 1);
        Set<String> threads = ConcurrentHashMap.newKeySet();
        try (OverlappedCalls overlapped = new OverlappedCalls("test-overlapped", helpers)) {
            overlapped.each(items(helpers + 1 + OverlappedCalls.MIN_OVERLAPPED), item -> {
                threads.add(Thread.currentThread().getName());
                together.countDown();
                try {
                    if (!together.await(30, TimeUnit.SECONDS)) {
                        throw new IOException("the calls were not made at the same time");
                    }
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                return item;
            });
        }
        assertThat(threads).hasSize(helpers + 1).contains(Thread.currentThread().getName());
    }

    @Test
    void aShortListRunsOnTheCallersThreadAlone() throws IOException {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        try (OverlappedCalls overlapped = new OverlappedCalls("test-overlapped", 3)) {
            overlapped.each(items(OverlappedCalls.MIN_OVERLAPPED - 1), item -> {
                threads.add(Thread.currentThread().getName());
                return item;
            });
        }
        assertThat(threads).containsExactly(Thread.currentThread().getName());
    }

    @Test
    void aFailingCallFailsTheWholeListWithItsOwnException() {
        try (OverlappedCalls overlapped = new OverlappedCalls("test-overlapped", 3)) {
            IOException failed = catchThrowableOfType(IOException.class, () -> overlapped.each(items(100), item -> {
                if (item == 57) {
                    throw new IOException("item 57 is unreadable");
                }
                return item;
            }));

            assertThat(failed).hasMessage("item 57 is unreadable");
        }
    }

    @Test
    void aListDoesNotWaitForHelpersBusyWithAnotherList() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch helperBusy = new CountDownLatch(1);
        try (OverlappedCalls overlapped = new OverlappedCalls("test-overlapped", 1)) {
            Thread first = new Thread(() -> {
                try {
                    overlapped.each(items(OverlappedCalls.MIN_OVERLAPPED), item -> {
                        if (Thread.currentThread().getName().startsWith("test-overlapped")) {
                            helperBusy.countDown();
                        }
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            throw new IOException(e);
                        }
                        return item;
                    });
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            first.start();
            try {
                assertThat(helperBusy.await(30, TimeUnit.SECONDS)).as("the only helper took an item").isTrue();

                // The only helper is blocked in the first list: the second is answered by its caller alone.
                assertThat(overlapped.each(items(50), item -> item + 1)).hasSize(50).startsWith(1, 2, 3);
            } finally {
                release.countDown();
                first.join(30_000);
            }
        }
    }

    @Test
    void afterCloseEveryCallIsMadeOnTheCallersThread() throws IOException {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        OverlappedCalls overlapped = new OverlappedCalls("test-overlapped", 3);
        overlapped.close();

        List<Integer> answers = overlapped.each(items(50), item -> {
            threads.add(Thread.currentThread().getName());
            return item;
        });

        assertThat(answers).containsExactlyElementsOf(items(50));
        assertThat(threads).containsExactly(Thread.currentThread().getName());
    }

    @Test
    void inSlicesEachThreadCallsOneContiguousRunOfItemsInOrder() throws IOException {
        int helpers = 3;
        String[] callerOf = new String[100];
        try (OverlappedCalls overlapped = new OverlappedCalls("test-overlapped", helpers)) {
            List<Integer> answers = overlapped.eachInSlices(items(100), item -> {
                callerOf[item] = Thread.currentThread().getName();
                return item;
            });

            assertThat(answers).containsExactlyElementsOf(items(100));
        }
        int runs = 1;
        for (int i = 1; i < callerOf.length; i++) {
            runs += callerOf[i].equals(callerOf[i - 1]) ? 0 : 1;
        }
        assertThat(runs).as("runs of neighbouring items on one thread").isLessThanOrEqualTo(helpers + 1);
    }

    @Test
    void inSlicesCallsFasterThanTheSlowCallAreSpreadOverTheCoresWhenTheirRunIsLong() throws IOException {
        Assumptions.assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "one core: nothing to spread over");
        Set<String> threads = ConcurrentHashMap.newKeySet();
        // A run is "long" from 0 ns here: the split does not hang on how fast this machine makes the calls. Each call
        // is busy 50 us at least, so a slice lasts long enough (10 ms) for a helper thread to start and take the other.
        try (OverlappedCalls overlapped = new OverlappedCalls("test-overlapped", 3, 0)) {
            List<Integer> answers = overlapped.eachInSlices(items(400), item -> {
                threads.add(Thread.currentThread().getName());
                for (long until = System.nanoTime() + 50_000; System.nanoTime() < until; ) {
                    Thread.onSpinWait();
                }
                return item;
            }, java.time.Duration.ofSeconds(1));

            assertThat(answers).containsExactlyElementsOf(items(400));
        }
        assertThat(threads).contains(Thread.currentThread().getName()).hasSizeGreaterThan(1)
                .hasSizeLessThanOrEqualTo(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void inSlicesCallsFasterThanTheSlowCallStayOnTheCallersThreadWhileTheirRunIsShort() throws IOException {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        // No run is "long" here, however slowly this machine makes the first calls.
        try (OverlappedCalls overlapped = new OverlappedCalls("test-overlapped", 3, Long.MAX_VALUE)) {
            List<Integer> answers = overlapped.eachInSlices(items(1000), item -> {
                threads.add(Thread.currentThread().getName());
                return item;
            }, java.time.Duration.ofSeconds(1));

            assertThat(answers).containsExactlyElementsOf(items(1000));
        }
        assertThat(threads).containsExactly(Thread.currentThread().getName());
    }
}
