package io.daxguard.agent.remote;

import java.security.Principal;
import java.util.Optional;
import java.util.function.Function;
import javax.security.auth.Subject;

/**
 * Who a remote JMX caller is and which role it has: the one answer {@link RoleEnforcer} (calls) and
 * {@link RoleNotificationAccess} (notifications) both use. A subject of {@link AnonymousLogin} has the configured
 * anonymous role; any other subject the best role the access file gives one of its principals now: asked at every
 * call and every notification delivered, so an edit of the access file holds at once, on open connections too.
 */
final class RemoteCallers {
    /** A caller: the name the audit trail and refusals use, and its role, if any. */
    record Caller(String name, Optional<Role> role) {
    }

    private final Function<String, Optional<Role>> roleOfUser;
    private final Optional<Role> anonymousRole;

    /**
     * @param roleOfUser    the role the access file gives a user now ({@link CurrentAccessFile#roleOf})
     * @param anonymousRole the role of {@link AnonymousLogin}'s callers (a connector without authentication);
     *                      empty when the connector authenticates
     */
    RemoteCallers(Function<String, Optional<Role>> roleOfUser, Optional<Role> anonymousRole) {
        this.roleOfUser = roleOfUser;
        this.anonymousRole = anonymousRole;
    }

    Caller of(Subject subject) {
        if (subject.getPrincipals().stream().anyMatch(AnonymousLogin.Anonymous.class::isInstance)) {
            return new Caller("anonymous", anonymousRole);
        }
        String who = subject.getPrincipals().stream().map(Principal::getName).sorted().findFirst().orElse("?");
        Role best = null;
        for (Principal principal : subject.getPrincipals()) {
            Role role = roleOfUser.apply(principal.getName()).orElse(null);
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
