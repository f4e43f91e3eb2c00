package io.daxguard.agent.remote;

import io.daxguard.agent.jmx.AgentMXBean;
import io.daxguard.agent.jmx.DamagedFileMXBean;
import io.daxguard.agent.jmx.Description;
import io.daxguard.agent.jmx.DeviceMXBean;
import io.daxguard.agent.jmx.FilesystemMXBean;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.Map;
import javax.management.MBeanOperationInfo;
import javax.management.ObjectName;
import org.jolokia.server.core.service.api.Restrictor;
import org.jolokia.server.core.util.HttpMethod;
import org.jolokia.server.core.util.RequestType;

/**
 * The Jolokia policy of the HTTP bridge: only daxguard's MBeans ({@code io.daxguard} and its metrics) are
 * visible; what a role may do to them is {@link RemoteAccess}'s rule, the one remote JMX applies: a
 * {@link Monitor} reads and runs queries (operations whose declared impact is INFO), a {@link Control} may also
 * run actions; nobody writes attributes. Operations run only by POST ({@link BridgeGate}), never by GET.
 */
public abstract class DaxguardRestrictor implements Restrictor {
    /** Declared impacts (MBeanOperationInfo constants) of operations, by the {@code type} key of their MBean. */
    private static final Map<String, Map<String, Integer>> IMPACTS = Map.of(
            "Agent", impacts(AgentMXBean.class),
            "Filesystem", impacts(FilesystemMXBean.class),
            "DamagedFile", impacts(DamagedFileMXBean.class),
            "Device", impacts(DeviceMXBean.class));

    private final Role role;

    DaxguardRestrictor(Role role) {
        this.role = role;
    }

    /** The read-only role. */
    public static final class Monitor extends DaxguardRestrictor {
        public Monitor() {
            super(Role.MONITOR);
        }
    }

    /** The role that may act. */
    public static final class Control extends DaxguardRestrictor {
        public Control() {
            super(Role.CONTROL);
        }
    }

    private static Map<String, Integer> impacts(Class<?> mxBean) {
        Map<String, Integer> impacts = new HashMap<>();
        for (Method method : mxBean.getMethods()) {
            Description description = method.getAnnotation(Description.class);
            boolean getter = method.getParameterCount() == 0 && (method.getName().startsWith("get")
                    || method.getName().startsWith("is")) && method.getReturnType() != void.class;
            if (!getter) {
                impacts.put(method.getName(), description == null ? MBeanOperationInfo.UNKNOWN
                        : description.impact().code());
            }
        }
        return Map.copyOf(impacts);
    }

    @Override
    public boolean isHttpMethodAllowed(HttpMethod method) {
        return method == HttpMethod.GET || method == HttpMethod.POST;
    }

    @Override
    public boolean isTypeAllowed(RequestType type) {
        return switch (type) {
            case READ, LIST, SEARCH, VERSION -> BridgeGate.current().isPresent();
            // A browser sends a GET for a link or an image; only a POST, whose origin the gate checked, acts.
            case EXEC -> calledByPost();
            default -> false;
        };
    }

    private static boolean calledByPost() {
        return BridgeGate.current().filter(method -> method == BridgeGate.Method.POST).isPresent();
    }

    @Override
    public boolean isAttributeReadAllowed(ObjectName name, String attribute) {
        return BridgeGate.current().isPresent() && RemoteAccess.isDaxguards(name);
    }

    @Override
    public boolean isAttributeWriteAllowed(ObjectName name, String attribute) {
        return false;
    }

    @Override
    public boolean isOperationAllowed(ObjectName name, String operation) {
        // Jolokia asks isTypeAllowed only of list and search requests; an operation is decided here alone.
        if (!calledByPost()) {
            return false;
        }
        String base = operation.contains("(") ? operation.substring(0, operation.indexOf('(')) : operation;
        int impact = RemoteAccess.isDaxguards(name) ? IMPACTS.getOrDefault(String.valueOf(name.getKeyProperty("type")),
                Map.of()).getOrDefault(base, MBeanOperationInfo.UNKNOWN) : MBeanOperationInfo.UNKNOWN;
        return RemoteAccess.refusesOperation(role, name, base, impact).isEmpty();
    }

    @Override
    public boolean isRemoteAccessAllowed(String... hostOrAddress) {
        return true; // Who may connect is decided by the bind address and authentication.
    }

    @Override
    public boolean isOriginAllowed(String origin, boolean onlyWhenStrictCheckingIsEnabled) {
        // BridgeGate refused every origin not in http.allowedOrigins before the request got here.
        return BridgeGate.current().isPresent();
    }

    @Override
    public boolean isObjectNameHidden(ObjectName name) {
        return !RemoteAccess.isDaxguards(name);
    }
}
