package io.daxguard.agent.failure;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a {@link FailureSource} counts, by fixed names (each becomes a metric when the agent starts): made with every
 * name it will count, so a metric exists from the start and a misspelt name fails at once. Thread safe.
 */
public final class SourceCounters {
    private final Map<String, LongAdder> counters = new LinkedHashMap<>();

    public SourceCounters(List<String> names) {
        names.forEach(name -> counters.put(name, new LongAdder()));
    }

    public void increment(String name) {
        add(name, 1);
    }

    public void add(String name, long amount) {
        LongAdder counter = counters.get(name);
        if (counter == null) {
            throw new IllegalArgumentException("no counter named " + name + "; the names are " + counters.keySet());
        }
        counter.add(amount);
    }

    /** Every counter now, in the order of the names. */
    public Map<String, Long> snapshot() {
        Map<String, Long> values = new LinkedHashMap<>();
        counters.forEach((name, adder) -> values.put(name, adder.sum()));
        return values;
    }
}
