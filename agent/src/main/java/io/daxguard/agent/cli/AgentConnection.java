package io.daxguard.agent.cli;

import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import io.daxguard.agent.daemon.AgentService;
import java.io.Console;
import java.util.Optional;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import picocli.CommandLine.Option;

/**
 * How a command reaches the running agent: a JMX URL (remote, with a user), or local attach to the agent's
 * JVM, found by the system property it sets while running ({@link AgentService#RUNNING_PROPERTY}); that is
 * how jconsole's local process list works, and it needs the same user as the agent.
 */
final class AgentConnection {

    /** The options every command that talks to an agent takes. */
    static final class Options {
        @Option(names = "--url", paramLabel = "URL",
                description = "JMX URL of a remote agent, e.g. service:jmx:rmi:///jndi/rmi://host:9875/jmxrmi")
        String url;

        @Option(names = "--pid", paramLabel = "PID", description = "Attach to the agent with this process id")
        Long pid;

        @Option(names = "--user", paramLabel = "USER",
                description = "Remote user; the password is read from DAXGUARD_JMX_PASSWORD or asked for")
        String user;
    }

    private AgentConnection() {
    }

    static JMXConnector open(Options options) throws AgentUnreachableException {
        try {
            if (options.url != null) {
                Map<String, Object> environment = new HashMap<>();
                if (options.user != null) {
                    environment.put(JMXConnector.CREDENTIALS, new String[] {options.user, password(options.user)});
                }
                return JMXConnectorFactory.connect(new JMXServiceURL(options.url), environment);
            }
            return JMXConnectorFactory.connect(new JMXServiceURL(localAddress(options.pid)));
        } catch (SecurityException refused) {
            throw new AgentUnreachableException("the agent refused the connection: " + refused.getMessage());
        } catch (IOException unreachable) {
            throw new AgentUnreachableException("cannot connect to the agent"
                    + (options.url == null ? "" : " at " + options.url) + ": " + rootMessage(unreachable));
        }
    }

    static MBeanServerConnection connection(JMXConnector connector) throws AgentUnreachableException {
        try {
            return connector.getMBeanServerConnection();
        } catch (IOException e) {
            throw new AgentUnreachableException("lost the agent: " + rootMessage(e));
        }
    }

    private static String localAddress(Long pid) throws AgentUnreachableException {
        List<String> candidates = new ArrayList<>();
        if (pid != null) {
            candidates.add(String.valueOf(pid));
        } else {
            // JVMs started by bin/daxguard name the main class; others (jsvc) are asked in turn after them.
            List<String> others = new ArrayList<>();
            for (VirtualMachineDescriptor descriptor : VirtualMachine.list()) {
                if (descriptor.id().equals(String.valueOf(ProcessHandle.current().pid()))) {
                    continue;
                }
                (descriptor.displayName().contains("io.daxguard") ? candidates : others).add(descriptor.id());
            }
            candidates.addAll(others);
        }
        for (String id : candidates) {
            VirtualMachine vm;
            try {
                vm = VirtualMachine.attach(id);
            } catch (Exception notAttachable) {
                if (pid != null) {
                    throw new AgentUnreachableException("cannot attach to process " + pid + ": "
                            + notAttachable.getMessage() + " (run as the agent's user, usually root)");
                }
                continue;
            }
            try {
                Properties properties = vm.getSystemProperties();
                if (properties.getProperty(AgentService.RUNNING_PROPERTY) != null) {
                    return vm.startLocalManagementAgent();
                }
            } catch (IOException skipped) {
                // Not ours, or gone meanwhile.
            } finally {
                try {
                    vm.detach();
                } catch (IOException ignored) {
                    // Detaching a vanished VM.
                }
            }
        }
        throw new AgentUnreachableException(pid != null ? "process " + pid + " is not a running daxguard agent"
                : "no running daxguard agent found for this user (start one with `daxguard run`, or give --url)");
    }

    private static String password(String user) {
        String fromEnvironment = System.getenv("DAXGUARD_JMX_PASSWORD");
        if (fromEnvironment != null) {
            return fromEnvironment;
        }
        Optional<Console> console = Terminal.console();
        if (console.isEmpty()) {
            return "";
        }
        char[] typed = console.get().readPassword("password for %s: ", user);
        return typed == null ? "" : new String(typed);
    }

    static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == error ? String.valueOf(error.getMessage()) : error.getMessage() + " (" + root + ")";
    }

    /** No agent to talk to; the message says what was tried. */
    static final class AgentUnreachableException extends Exception {
        AgentUnreachableException(String message) {
            super(message);
        }
    }
}
