package io.daxguard.agent.failure;

/**
 * A failure the pipeline cannot take as given: it names no block device, or bytes past the device's end. The
 * reporter's mistake, not the agent's: an operator is told it was rejected, and nothing is recorded.
 */
public final class FailureRejected extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public FailureRejected(String message) {
        super(message);
    }
}
