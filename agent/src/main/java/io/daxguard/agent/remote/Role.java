package io.daxguard.agent.remote;

/** What an authenticated remote user may do. */
public enum Role {
    /** Read attributes, receive notifications, invoke daxguard's operations whose impact is INFO (queries). */
    MONITOR,
    /** Everything a monitor may, plus daxguard's ACTION operations (repairs, reports, scrubs). */
    CONTROL;

    /** The role an access file or the configuration names: {@code monitor} or {@code control}, any case. */
    static Role named(String name) {
        return valueOf(name.toUpperCase(java.util.Locale.ROOT));
    }
}
