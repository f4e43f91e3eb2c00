package io.daxguard.agent.remote;

import com.sun.net.httpserver.BasicAuthenticator;
import java.util.Set;

/**
 * HTTP basic against the agent's password file, for users whose role in the access file is one of {@code allowed}:
 * the HTTP bridge's endpoints and the Prometheus endpoint check callers the same way remote JMX does. Both files are
 * read as they are at each request: an edit takes effect without a restart.
 */
class RoleAuthenticator extends BasicAuthenticator {
    private final PasswordFile passwords;
    private final CurrentAccessFile roles;
    private final Set<Role> allowed;

    RoleAuthenticator(PasswordFile passwords, CurrentAccessFile roles, Set<Role> allowed) {
        super("daxguard");
        this.passwords = passwords;
        this.roles = roles;
        this.allowed = Set.copyOf(allowed);
    }

    @Override
    public boolean checkCredentials(String user, String password) {
        return passwords.accepts(user, password) && roles.roleOf(user).filter(allowed::contains).isPresent();
    }
}
