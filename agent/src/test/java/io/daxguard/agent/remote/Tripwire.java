package io.daxguard.agent.remote;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A serializable class outside every allow list, standing for a deserialization gadget: the test client and the
 * agent share one JVM, so {@link #deserialized} shows whether the agent's side ever read one.
 */
public final class Tripwire implements Serializable {
    private static final long serialVersionUID = 1L;
    static final AtomicInteger deserialized = new AtomicInteger();

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        deserialized.incrementAndGet();
    }
}
