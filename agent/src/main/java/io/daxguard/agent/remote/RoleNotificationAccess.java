package io.daxguard.agent.remote;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import javax.security.auth.Subject;

/**
 * The role rule for notifications over remote JMX. A client's listener is added by the connector's notification
 * forwarder, not through {@code MBeanServer.addNotificationListener}, so {@link RoleEnforcer} never sees it (only
 * an {@code isInstanceOf}, run in the connector's own privileged block where the caller's subject is gone); the
 * connector asks a notification access controller instead ({@value #ENVIRONMENT_KEY}), with the caller's subject.
 *
 * <p>Receiving notifications is reading: a monitor or control user may listen to any MBean whose attributes it
 * may read (every MBean, over JMX); a user without a role may neither add nor remove a listener, and is delivered
 * nothing. The role is asked at each delivery, not only when the listener was added: a user removed from the
 * access file stops receiving at once ({@link RemoteCallers}). A call without a subject is refused: every client
 * call carries one, also on a connector that does not authenticate ({@link AnonymousLogin}).
 *
 * <p>The controller's interface, {@value #CONTROLLER}, is in a package {@code java.management} exports only to
 * the JDK's connector, so no class of the agent can implement it; a {@link Proxy} can (its dynamic module is given
 * access), and this handler answers its three methods, {@code addNotificationListener(connectionId, name, subject)},
 * {@code removeNotificationListener(connectionId, name, subject)} and
 * {@code fetchNotification(connectionId, name, notification, subject)}: each returns, or refuses by throwing a
 * {@link SecurityException} (which, for a fetch, drops that notification for that client only).
 */
final class RoleNotificationAccess implements InvocationHandler {
    /** The connector environment key the JDK's RMI connector reads the controller from. */
    static final String ENVIRONMENT_KEY = "com.sun.jmx.remote.notification.access.controller"; // EnvHelp.NOTIF_ACCESS_CONTROLLER
    static final String CONTROLLER = "com.sun.jmx.remote.security.NotificationAccessController";

    private final RemoteCallers callers;

    private RoleNotificationAccess(RemoteCallers callers) {
        this.callers = callers;
    }

    /** The controller to put in the connector's environment under {@link #ENVIRONMENT_KEY}. */
    static Object controller(RemoteCallers callers) {
        Class<?> controller;
        try {
            controller = Class.forName(CONTROLLER, false, RoleNotificationAccess.class.getClassLoader());
        } catch (ClassNotFoundException gone) {
            // Without it the connector would deliver every notification to every user: refuse to serve at all.
            throw new IllegalStateException("this JDK has no " + CONTROLLER
                    + ": remote JMX cannot apply roles to notifications", gone);
        }
        return Proxy.newProxyInstance(RoleNotificationAccess.class.getClassLoader(), new Class<?>[] {controller},
                new RoleNotificationAccess(callers));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) {
        String name = method.getName();
        if (method.getDeclaringClass() == Object.class) {
            return switch (name) {
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> "RoleNotificationAccess";
            };
        }
        // Every method's last argument is the caller's subject, the second the MBean.
        Object subject = args[args.length - 1];
        String what = switch (name) {
            case "addNotificationListener" -> "listen to ";
            case "removeNotificationListener" -> "remove a listener of ";
            case "fetchNotification" -> "receive notifications of ";
            default -> throw new SecurityException(name + " is not known to daxguard's notification access rule");
        };
        requireRole(subject instanceof Subject s ? s : null, what + args[1]);
        return null;
    }

    private void requireRole(Subject subject, String what) {
        if (subject == null) {
            throw new SecurityException("a caller without a subject may not " + what + " over remote JMX");
        }
        RemoteCallers.Caller caller = callers.of(subject);
        if (caller.role().isEmpty()) {
            throw new SecurityException(RemoteCallers.noRole(caller) + "; it may not " + what);
        }
    }
}
