package io.daxguard.agent.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.Objects;

/**
 * Where the damage ledger is: by default SQLite in the state directory; with {@code url}, a PostgreSQL database
 * shared by a fleet, each agent's rows stamped with its host.
 *
 * @param url      {@code jdbc:postgresql://host:port/database}; empty: SQLite in {@code stateDirectory}
 * @param user     the database role; needed with {@code url}
 * @param password its password; write {@code ${ENV_VAR}} to keep it out of the file
 * @param hostName what this host's rows are called in the fleet; empty: the host name
 */
public record LedgerConfig(
        @Pattern(regexp = "|jdbc:postgresql://[^/?#\\s]+/[^/?#\\s]+(\\?\\S*)?",
                message = "must be jdbc:postgresql://host:port/database (or empty: SQLite in the state directory)")
        String url,
        @Size(max = 63, message = "must be at most 63 characters (a PostgreSQL role name)") String user,
        String password,
        @Size(max = 255, message = "must be at most 255 characters")
        @Pattern(regexp = "[^\\p{Cntrl}]*", message = "must not contain control characters")
        String hostName) {

    public LedgerConfig {
        url = Objects.requireNonNullElse(url, "");
        user = Objects.requireNonNullElse(user, "");
        password = Objects.requireNonNullElse(password, "");
        hostName = Objects.requireNonNullElse(hostName, "");
    }

    static LedgerConfig defaults() {
        return new LedgerConfig(null, null, null, null);
    }

    /** Whether the ledger is shared ({@code url} given). */
    @JsonIgnore
    public boolean shared() {
        return !url.isEmpty();
    }

    @JsonIgnore
    @AssertTrue(message = "user is needed with url (the role the agent connects as)")
    public boolean isUserGivenWithUrl() {
        return !shared() || !user.isBlank();
    }

    /** Never the password: a configuration dumped in a log must not carry it. */
    @Override
    public String toString() {
        return "LedgerConfig[url=" + url + ", user=" + user + ", password=" + (password.isEmpty() ? "" : "***")
                + ", hostName=" + hostName + "]";
    }
}
