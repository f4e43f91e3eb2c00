package io.daxguard.agent.remote;

import io.daxguard.agent.jmx.AgentMXBean;
import io.daxguard.agent.jmx.DamagedFileMXBean;
import io.daxguard.agent.jmx.Description;
import io.daxguard.agent.jmx.DeviceMXBean;
import io.daxguard.agent.jmx.FilesystemMXBean;
import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.agent.metrics.AgentMetrics;
import java.lang.reflect.Method;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import javax.management.ObjectName;
import org.jolokia.server.core.service.api.Restrictor;
import org.jolokia.server.core.util.HttpMethod;
import org.jolokia.server.core.util.RequestType;

/**
 * The Jolokia policy of the HTTP bridge: only daxguard's MBeans ({@code io.daxguard} and its metrics) are
 * visible; a {@link Monitor} reads and runs queries (operations whose impact is INFO), a {@link Control}
 * may also run actions. The same split as remote JMX, where {@link RoleEnforcer} does it.
 */
public abstract class DaxguardRestrictor implements Restrictor {
    /** Operation names whose impact is INFO, by the {@code type} key of the MBean that has them. */
    private static final Map<String, Set<String>> QUERIES = Map.of(
            "Agent", queries(AgentMXBean.class),
            "Filesystem", queries(FilesystemMXBean.class),
            "DamagedFile", queries(DamagedFileMXBean.class),
            "Device", queries(DeviceMXBean.class));

    private final boolean control;

    DaxguardRestrictor(boolean control) {
        this.control = control;
    }

    /** The read-only role. */
    public static final class Monitor extends DaxguardRestrictor {
        public Monitor() {
            super(false);
        }
    }

    /** The role that may act. */
    public static final class Control extends DaxguardRestrictor {
        public Control() {
            super(true);
        }
    }

    private static Set<String> queries(Class<?> mxBean) {
        Set<String> names = new HashSet<>();
        for (Method method : mxBean.getMethods()) {
            Description description = method.getAnnotation(Description.class);
            boolean getter = method.getParameterCount() == 0 && (method.getName().startsWith("get")
                    || method.getName().startsWith("is")) && method.getReturnType() != void.class;
            if (!getter && description != null && description.impact() == Description.Impact.INFO) {
                names.add(method.getName());
            }
        }
        return Set.copyOf(names);
    }

    private static boolean ours(ObjectName name) {
        return name.getDomain().equals(ObjectNames.DOMAIN) || name.getDomain().equals(AgentMetrics.DOMAIN);
    }

    @Override
    public boolean isHttpMethodAllowed(HttpMethod method) {
        return method == HttpMethod.GET || method == HttpMethod.POST;
    }

    @Override
    public boolean isTypeAllowed(RequestType type) {
        return switch (type) {
            case READ, LIST, SEARCH, VERSION, EXEC -> true;
            case WRITE -> control;
            default -> false;
        };
    }

    @Override
    public boolean isAttributeReadAllowed(ObjectName name, String attribute) {
        return ours(name);
    }

    @Override
    public boolean isAttributeWriteAllowed(ObjectName name, String attribute) {
        return control && ours(name);
    }

    @Override
    public boolean isOperationAllowed(ObjectName name, String operation) {
        if (!ours(name)) {
            return false;
        }
        String base = operation.contains("(") ? operation.substring(0, operation.indexOf('(')) : operation;
        return control || QUERIES.getOrDefault(String.valueOf(name.getKeyProperty("type")), Set.of()).contains(base);
    }

    @Override
    public boolean isRemoteAccessAllowed(String... hostOrAddress) {
        return true; // Who may connect is decided by the bind address and authentication.
    }

    @Override
    public boolean isOriginAllowed(String origin, boolean onlyWhenStrictCheckingIsEnabled) {
        // Clients that are not browsers send no origin; a browser page from elsewhere is not let in.
        return origin == null || !onlyWhenStrictCheckingIsEnabled;
    }

    @Override
    public boolean isObjectNameHidden(ObjectName name) {
        return !ours(name);
    }
}
