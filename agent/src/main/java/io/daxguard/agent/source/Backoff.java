package io.daxguard.agent.source;

import java.time.Duration;
import java.util.Objects;

/**
 * How long the supervisor waits before starting a source again: {@code initial} after its thread ended, doubling
 * with every further end or failed start, at most {@code max}. A source that ran for {@code healthyAfter} before its
 * thread ended is healthy again: its next wait is {@code initial}.
 */
public record Backoff(Duration initial, Duration max, Duration healthyAfter) {
    public Backoff {
        Objects.requireNonNull(initial, "initial is null");
        Objects.requireNonNull(max, "max is null");
        Objects.requireNonNull(healthyAfter, "healthyAfter is null");
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0 || healthyAfter.isNegative()) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max and healthyAfter >= 0, was " + initial
                    + ", " + max + ", " + healthyAfter);
        }
    }

    /** 1 s doubling to 60 s; a minute of running is health. */
    public static Backoff standard() {
        return new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(60));
    }

    /** The wait before attempt {@code failures} (1 for the first end since the source was healthy). */
    public Duration delay(int failures) {
        if (failures < 1) {
            throw new IllegalArgumentException("failures must be at least 1, was " + failures);
        }
        Duration delay = initial;
        for (int i = 1; i < failures && delay.compareTo(max) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(max) < 0 ? delay : max;
    }
}
