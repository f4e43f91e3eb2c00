package io.daxguard.agent.remote;

import java.security.Principal;
import java.util.Set;
import javax.management.remote.JMXAuthenticator;
import javax.security.auth.Subject;

/**
 * The "authentication" of a connector that does not authenticate ({@code allowInsecure}): every client, whatever
 * credentials it sends, becomes the one {@link Anonymous} principal. Its calls then carry a subject like any
 * authenticated user's, so {@link RoleEnforcer} tells them from the connector's own calls (which carry none) and
 * gives them the anonymous role, and the audit trail names them {@code anonymous}.
 */
final class AnonymousLogin implements JMXAuthenticator {
    /** Every caller of an unauthenticated connector; no login module or access file can name it. */
    record Anonymous() implements Principal {
        @Override
        public String getName() {
            return "anonymous";
        }
    }

    @Override
    public Subject authenticate(Object credentials) {
        return new Subject(true, Set.of(new Anonymous()), Set.of(), Set.of());
    }
}
