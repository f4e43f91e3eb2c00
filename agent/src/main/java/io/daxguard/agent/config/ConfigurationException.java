package io.daxguard.agent.config;

import java.util.List;

/** A configuration the agent refuses to start with; {@link #violations()} lists every problem found. */
public final class ConfigurationException extends Exception {
    private final List<String> violations;

    public ConfigurationException(String source, List<String> violations) {
        super(source + " is not a valid configuration:\n  " + String.join("\n  ", violations));
        this.violations = List.copyOf(violations);
    }

    /** One line per problem: {@code field.path: what is wrong (was value)}. */
    public List<String> violations() {
        return violations;
    }
}
