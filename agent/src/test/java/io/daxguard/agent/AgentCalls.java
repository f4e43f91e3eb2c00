package io.daxguard.agent;

import io.daxguard.agent.jmx.ObjectNames;
import javax.management.MBeanServerConnection;
import javax.management.RuntimeMBeanException;

/** The JMX calls many tests make of a running agent, as a remote client makes them. */
final class AgentCalls {
    private AgentCalls() {
    }

    /** The Agent MBean's {@code reportFailure(device, sector, sectorCount, errno)}; its answer. */
    static Object reportFailure(MBeanServerConnection remote, String device, long sector, long sectorCount, int errno)
            throws Exception {
        return remote.invoke(ObjectNames.agent(), "reportFailure", new Object[] {device, sector, sectorCount, errno},
                new String[] {"java.lang.String", "long", "long", "int"});
    }

    /** The Filesystem MBean's {@code testPolicy(path)}: its answer, or its refusal's message. */
    static String testPolicy(MBeanServerConnection remote, String mountPoint, String path) throws Exception {
        try {
            return (String) remote.invoke(ObjectNames.filesystem(mountPoint), "testPolicy", new Object[] {path},
                    new String[] {"java.lang.String"});
        } catch (RuntimeMBeanException refused) {
            return refused.getCause().getMessage();
        }
    }
}
