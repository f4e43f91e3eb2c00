package io.daxguard.agent.recovery;

import java.security.AccessController;
import java.security.Principal;
import java.util.Set;
import javax.security.auth.Subject;

/** Who is calling, for the audit trail: the authenticated JMX principal of a remote call, else {@code local}. */
public final class Principals {
    private Principals() {
    }

    /**
     * The JMX connector runs each remote operation as the authenticated {@link Subject}, reachable from the
     * access control context on Java 17 (Subject.current() arrives in Java 18).
     */
    @SuppressWarnings("removal")
    public static String current() {
        Subject subject = Subject.getSubject(AccessController.getContext());
        if (subject == null) {
            return "local";
        }
        Set<Principal> principals = subject.getPrincipals();
        return principals.isEmpty() ? "local" : principals.iterator().next().getName();
    }
}
