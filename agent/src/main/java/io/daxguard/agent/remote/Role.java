package io.daxguard.agent.remote;

/** What an authenticated remote user may do. */
public enum Role {
    /** Read attributes, receive notifications, invoke operations whose impact is INFO (queries). */
    MONITOR,
    /** Everything a monitor may, plus ACTION operations (repairs, reports) and attribute writes. */
    CONTROL
}
