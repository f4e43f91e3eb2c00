package io.daxguard.agent.remote;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.security.AccessController;
import java.util.Optional;
import java.util.Set;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.remote.MBeanServerForwarder;
import javax.security.auth.Subject;

/**
 * Sits between the remote connector and the MBean server and lets each call through only if the caller's
 * role allows it ({@link RemoteAccess} says what each role may). The JDK's own access file has no such level:
 * its {@code readonly} refuses every operation, even a query like {@code status()}, and its {@code readwrite}
 * reaches every MBean of the JVM.
 *
 * <p>The caller is the connector's authenticated {@link Subject}; every client call carries one, also on a
 * connector that does not authenticate ({@code allowInsecure}), whose callers are {@link AnonymousLogin}'s
 * one principal and have the configured anonymous role. A call without a subject is the connector's own (it
 * reads the class loader repository and registers its notification listeners when a client connects), not a
 * client's, and is let through. Client notification listeners never come here (the connector's notification
 * forwarder adds them): {@link RoleNotificationAccess} applies the rule to them. Refusals are {@link SecurityException}s, which any client can read.
 */
final class RoleEnforcer implements InvocationHandler {
    private static final Set<String> READS = Set.of("getAttribute", "getAttributes", "getMBeanInfo", "queryNames",
            "queryMBeans", "isRegistered", "getMBeanCount", "getDefaultDomain", "getDomains", "isInstanceOf",
            "getObjectInstance");
    private static final Set<String> LISTENERS = Set.of("addNotificationListener", "removeNotificationListener");
    private static final Set<String> WRITES = Set.of("setAttribute", "setAttributes");

    private final RemoteCallers callers;
    private MBeanServer target;

    private RoleEnforcer(RemoteCallers callers) {
        this.callers = callers;
    }

    static MBeanServerForwarder forwarder(RemoteCallers callers) {
        return (MBeanServerForwarder) Proxy.newProxyInstance(MBeanServerForwarder.class.getClassLoader(),
                new Class<?>[] {MBeanServerForwarder.class}, new RoleEnforcer(callers));
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
            check(callers.of(subject.get()), name, args);
        }
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private void check(RemoteCallers.Caller caller, String method, Object[] args) throws Exception {
        if (caller.role().isEmpty()) {
            throw new SecurityException(RemoteCallers.noRole(caller));
        }
        Role role = caller.role().get();
        if (READS.contains(method)) {
            return;
        }
        if (LISTENERS.contains(method)) {
            // The form that names a listener MBean would have the server call that MBean's handleNotification.
            if (args[1] instanceof ObjectName) {
                throw new SecurityException("notification listeners that are MBeans are not allowed over remote JMX");
            }
            return;
        }
        if (method.equals("invoke")) {
            ObjectName name = (ObjectName) args[0];
            String operation = (String) args[1];
            int impact = RemoteAccess.isDaxguards(name) ? impactOf(name, operation, (String[]) args[3])
                    : MBeanOperationInfo.UNKNOWN;
            Optional<String> refusal = RemoteAccess.refusesOperation(role, name, operation, impact);
            if (refusal.isPresent()) {
                throw new SecurityException("user " + caller.name() + ": " + refusal.get());
            }
            return;
        }
        if (WRITES.contains(method)) {
            throw new SecurityException("user " + caller.name() + ": "
                    + RemoteAccess.refusesAttributeWrite((ObjectName) args[0]));
        }
        // createMBean, registerMBean, unregisterMBean, instantiate, deserialize, class loaders: the way a JMX
        // port is turned into code execution.
        throw new SecurityException(method + " is not allowed over remote JMX");
    }

    private int impactOf(ObjectName name, String operation, String[] signature) throws Exception {
        String[] wanted = signature == null ? new String[0] : signature;
        for (MBeanOperationInfo info : target.getMBeanInfo(name).getOperations()) {
            // The name first: a signature is compared only for the operation asked (this runs on every invoke).
            if (info.getName().equals(operation) && sameTypes(info.getSignature(), wanted)) {
                return info.getImpact();
            }
        }
        return MBeanOperationInfo.UNKNOWN;
    }

    private static boolean sameTypes(MBeanParameterInfo[] parameters, String[] types) {
        if (parameters.length != types.length) {
            return false;
        }
        for (int i = 0; i < types.length; i++) {
            if (!parameters[i].getType().equals(types[i])) {
                return false;
            }
        }
        return true;
    }

    @SuppressWarnings("removal") // Subject.current() arrives in Java 18; the connector sets the subject this way on 17.
    private static Optional<Subject> currentSubject() {
        return Optional.ofNullable(Subject.getSubject(AccessController.getContext()));
    }
}
