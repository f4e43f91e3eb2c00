package io.daxguard.agent.jmx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import org.junit.jupiter.api.Test;

class DescribedMBeanTest {
    private final MBeanInfo info = new DescribedMBean<>(new Fake(), AgentMXBean.class).getMBeanInfo();

    private MBeanOperationInfo operation(String name) {
        return Arrays.stream(info.getOperations()).filter(op -> op.getName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void theMBeanIsDescribed() {
        assertThat(info.getDescription()).startsWith("The daxguard agent");
    }

    @Test
    void anAttributeIsDescribed() {
        assertThat(Arrays.stream(info.getAttributes()).filter(a -> a.getName().equals("Version")).findFirst()
                .orElseThrow().getDescription()).isEqualTo("daxguard version");
    }

    @Test
    void aRepairIsAnActionAndAQueryIsInfo() {
        assertThat(operation("reportFailure").getImpact()).isEqualTo(MBeanOperationInfo.ACTION);
        assertThat(operation("status").getImpact()).isEqualTo(MBeanOperationInfo.INFO);
    }

    /** Remote roles go by the declared impact; an operation that forgot to declare one must not pass as a query. */
    @Test
    void anOperationWithoutADeclaredImpactIsUnknown() {
        MBeanInfo undeclared = new DescribedMBean<UndeclaredMXBean>(() -> { }, UndeclaredMXBean.class).getMBeanInfo();

        assertThat(undeclared.getOperations()[0].getImpact()).isEqualTo(MBeanOperationInfo.UNKNOWN);
    }

    @Test
    void everyOperationOfDaxguardsMBeansDeclaresItsImpact() {
        List<String> undeclared = new java.util.ArrayList<>();
        for (Class<?> mxBean : List.of(AgentMXBean.class, FilesystemMXBean.class, DamagedFileMXBean.class,
                DeviceMXBean.class)) {
            for (java.lang.reflect.Method method : mxBean.getMethods()) {
                boolean getter = method.getParameterCount() == 0 && method.getReturnType() != void.class
                        && (method.getName().startsWith("get") || method.getName().startsWith("is"));
                Description description = method.getAnnotation(Description.class);
                if (!getter && !method.isDefault() && (description == null
                        || description.impact() == Description.Impact.UNKNOWN)) {
                    undeclared.add(mxBean.getSimpleName() + "." + method.getName());
                }
            }
        }

        assertThat(undeclared).isEmpty();
    }

    /** An MXBean whose one operation says nothing about its impact. */
    public interface UndeclaredMXBean {
        @Description("does something")
        void something();
    }

    @Test
    void theBatchReportsParametersHaveNamesJconsoleShows() {
        assertThat(Arrays.stream(operation("reportFailures").getSignature()).map(MBeanParameterInfo::getName))
                .containsExactly("devices", "sectors", "sectorCounts", "errnos");
    }

    @Test
    void parametersHaveNamesJconsoleShows() {
        assertThat(Arrays.stream(operation("reportFailure").getSignature()).map(MBeanParameterInfo::getName))
                .containsExactly("device", "sector", "sectors", "errno");
    }

    private static final class Fake implements AgentMXBean {
        @Override
        public String getVersion() {
            return "test";
        }

        @Override
        public String getStartedAt() {
            return "";
        }

        @Override
        public List<PluginView> getPlugins() {
            return List.of();
        }

        @Override
        public List<String> getPluginRefusals() {
            return List.of();
        }

        @Override
        public List<SourceView> getSources() {
            return List.of();
        }

        @Override
        public long getFailuresReceived() {
            return 0;
        }

        @Override
        public long getDamageRecords() {
            return 0;
        }

        @Override
        public int getDamagedFileCount() {
            return 0;
        }

        @Override
        public boolean isLedgerDurable() {
            return true;
        }

        @Override
        public String getLedgerHealth() {
            return "ok";
        }

        @Override
        public String reportFailure(String device, long sector, long sectors, int errno) {
            return "";
        }

        @Override
        public List<io.daxguard.agent.source.operator.ReportedFailure> reportFailures(String[] devices, long[] sectors,
                                                                                     long[] sectorCounts, int[] errnos) {
            return List.of();
        }

        @Override
        public void checkFailures(String[] devices, long[] sectors, long[] sectorCounts, int[] errnos) {
        }

        @Override
        public io.daxguard.agent.validation.RequestLimits getRequestLimits() {
            return io.daxguard.agent.validation.RequestLimits.defaults();
        }

        @Override
        public String status() {
            return "";
        }

        @Override
        public String statusSummary() {
            return "";
        }

        @Override
        public void refreshTopology() {
        }
    }
}
