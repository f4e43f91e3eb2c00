package io.daxguard.agent.remote;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.security.AccessController;
import java.security.Principal;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.remote.MBeanServerForwarder;
import javax.security.auth.Subject;

/**
 * Sits between the remote connector and the MBean server and lets each call through only if the caller's
 * role allows it. The JDK's own access file has no such level: its {@code readonly} refuses every operation,
 * even a query like {@code status()} or {@code resolve()}, so a monitor could not use daxguard at all.
 *
 * <ul>
 * <li>{@link Role#MONITOR}: reads, queries, notification listeners, and operations whose impact is INFO;</li>
 * <li>{@link Role#CONTROL}: also every other operation and attribute writes;</li>
 * <li>nobody remote may create, register or unregister MBeans or reach class loaders: that is how a JMX
 *     port is turned into remote code execution.</li>
 * </ul>
 * A call without an authenticated subject comes from inside the JVM (or from an insecure connector, which
 * needs {@code allowInsecure}) and is let through. Refusals are {@link SecurityException}s, which any client
 * can read.
 */
final class RoleEnforcer implements InvocationHandler {
    private static final Set<String> READS = Set.of("getAttribute", "getAttributes", "getMBeanInfo", "queryNames",
            "queryMBeans", "isRegistered", "getMBeanCount", "getDefaultDomain", "getDomains", "isInstanceOf",
            "getObjectInstance", "addNotificationListener", "removeNotificationListener");
    private static final Set<String> WRITES = Set.of("setAttribute", "setAttributes");

    private final AccessFile access;
    private MBeanServer target;

    private RoleEnforcer(AccessFile access) {
        this.access = access;
    }

    static MBeanServerForwarder forwarder(AccessFile access) {
        return (MBeanServerForwarder) Proxy.newProxyInstance(MBeanServerForwarder.class.getClassLoader(),
                new Class<?>[] {MBeanServerForwarder.class}, new RoleEnforcer(access));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        if (name.equals("getMBeanServer")) {
            return target;
        }
        if (name.equals("setMBeanServer")) {
            if (args[0] == null) {
                throw new IllegalArgumentException("null MBeanServer");
            }
            target = (MBeanServer) args[0];
            return null;
        }
        if (method.getDeclaringClass() == Object.class) {
            return switch (name) {
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> "RoleEnforcer";
            };
        }
        Optional<Subject> subject = currentSubject();
        if (subject.isPresent()) {
            check(subject.get(), name, args);
        }
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private void check(Subject subject, String method, Object[] args) throws Exception {
        Optional<Role> role = roleOf(subject);
        String who = subject.getPrincipals().stream().map(Principal::getName).sorted().findFirst().orElse("?");
        if (READS.contains(method)) {
            if (role.isEmpty()) {
                throw new SecurityException("user " + who + " has no role (add \"" + who + " monitor\" or \"" + who
                        + " control\" to the access file)");
            }
            return;
        }
        if (method.equals("invoke")) {
            ObjectName name = (ObjectName) args[0];
            String operation = (String) args[1];
            if (role.isEmpty()) {
                throw new SecurityException("user " + who + " has no role and may not invoke " + operation);
            }
            if (role.get() == Role.CONTROL || impactOf(name, operation, (String[]) args[3]) == MBeanOperationInfo.INFO) {
                return;
            }
            throw new SecurityException("user " + who + " has role monitor, which may invoke queries only, not "
                    + operation + " on " + name + " (needs role control)");
        }
        if (WRITES.contains(method)) {
            if (role.orElse(null) == Role.CONTROL) {
                return;
            }
            throw new SecurityException("user " + who + " may not change attributes (needs role control)");
        }
        throw new SecurityException(method + " is not allowed over remote JMX");
    }

    private int impactOf(ObjectName name, String operation, String[] signature) throws Exception {
        String[] wanted = signature == null ? new String[0] : signature;
        for (MBeanOperationInfo info : target.getMBeanInfo(name).getOperations()) {
            String[] types = Arrays.stream(info.getSignature()).map(p -> p.getType()).toArray(String[]::new);
            if (info.getName().equals(operation) && Arrays.equals(types, wanted)) {
                return info.getImpact();
            }
        }
        return MBeanOperationInfo.UNKNOWN;
    }

    private Optional<Role> roleOf(Subject subject) {
        Role best = null;
        for (Principal principal : subject.getPrincipals()) {
            Role role = access.roleOf(principal.getName()).orElse(null);
            if (role == Role.CONTROL) {
                return Optional.of(role);
            }
            if (role != null) {
                best = role;
            }
        }
        return Optional.ofNullable(best);
    }

    @SuppressWarnings("removal") // Subject.current() arrives in Java 18; the connector sets the subject this way on 17.
    private static Optional<Subject> currentSubject() {
        return Optional.ofNullable(Subject.getSubject(AccessController.getContext()));
    }
}
