package io.daxguard.agent.remote;

import java.security.Principal;
import java.util.Optional;
import javax.security.auth.Subject;

/**
 * Who a remote JMX caller is and which role it has: the one answer {@link RoleEnforcer} (calls) and
 * {@link RoleNotificationAccess} (notifications) both use. A subject of {@link AnonymousLogin} has the configured
 * anonymous role; any other subject the best role the access file gives one of its principals.
 */
final class RemoteCallers {
    /** A caller: the name the audit trail and refusals use, and its role, if any. */
    record Caller(String name, Optional<Role> role) {
    }

    private final AccessFile access;
    private final Optional<Role> anonymousRole;

    /**
     * @param anonymousRole the role of {@link AnonymousLogin}'s callers (a connector without authentication);
     *                      empty when the connector authenticates
     */
    RemoteCallers(AccessFile access, Optional<Role> anonymousRole) {
        this.access = access;
        this.anonymousRole = anonymousRole;
    }

    Caller of(Subject subject) {
        if (subject.getPrincipals().stream().anyMatch(AnonymousLogin.Anonymous.class::isInstance)) {
            return new Caller("anonymous", anonymousRole);
        }
        String who = subject.getPrincipals().stream().map(Principal::getName).sorted().findFirst().orElse("?");
        Role best = null;
        for (Principal principal : subject.getPrincipals()) {
            Role role = access.roleOf(principal.getName()).orElse(null);
            if (role == Role.CONTROL) {
                best = role;
                who = principal.getName();
                break;
            }
            if (role != null) {
                best = role;
                who = principal.getName();
            }
        }
        return new Caller(who, Optional.ofNullable(best));
    }

    /** Why a caller without a role is refused. */
    static String noRole(Caller caller) {
        return "user " + caller.name() + " has no role (add \"" + caller.name() + " monitor\" or \"" + caller.name()
                + " control\" to the access file)";
    }
}
