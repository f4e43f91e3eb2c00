package io.daxguard.agent.remote;

import java.util.concurrent.atomic.AtomicInteger;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanServer;
import javax.management.NotCompliantMBeanException;
import javax.management.ObjectName;
import javax.management.StandardMBean;

/**
 * MBeans whose operations declare a chosen impact, registered by a test where it needs one (an INFO operation
 * outside daxguard's domain, an operation of daxguard's domain that declares none); each counts its calls, so a
 * test sees that a refused call never ran.
 */
final class ProbeMBeans {
    private ProbeMBeans() {
    }

    /** The probe's management interface. */
    public interface ProbeMBean {
        String probe();
    }

    /** One probe; {@link #calls} counts the calls that reached it. */
    static final class Probe extends StandardMBean implements ProbeMBean {
        private final int impact;
        final AtomicInteger calls = new AtomicInteger();

        Probe(int impact) throws NotCompliantMBeanException {
            super(ProbeMBean.class);
            this.impact = impact;
        }

        @Override
        public String probe() {
            calls.incrementAndGet();
            return "probed";
        }

        @Override
        protected int getImpact(MBeanOperationInfo info) {
            return impact;
        }
    }

    /** Registers a probe whose operation declares {@code impact} under {@code name}. */
    static Probe register(MBeanServer server, String name, int impact) throws Exception {
        Probe probe = new Probe(impact);
        server.registerMBean(probe, new ObjectName(name));
        return probe;
    }
}
