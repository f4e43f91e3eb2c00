package io.daxguard.agent.config;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file the configuration names (a password, access or key store file) that is missing, unreadable or not what it
 * should be, found when the agent starts: a configuration problem like any other (exit 4, which the systemd unit
 * does not restart on), named by its field.
 */
public final class UnusableConfiguredFile extends IOException {
    private static final long serialVersionUID = 1L;

    public UnusableConfiguredFile(String field, Path file, String why, Throwable cause) {
        super(field + ": " + file + " " + why, cause);
    }

    public UnusableConfiguredFile(String field, Path file, String why) {
        this(field, file, why, null);
    }
}
