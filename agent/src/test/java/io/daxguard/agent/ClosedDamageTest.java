package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServerConnection;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Closed is closed: when a file's last open damage is closed, whichever way (rewritten, restored, verified good,
 * acknowledged, quarantined, the file gone, its owner superseded, its filesystem gone), its DamagedFile MBean is
 * unregistered at once, and {@code io.daxguard.file.recovered} names the path, the MBean and says it was
 * unregistered. The history stays in the ledger.
 */
@Tag("mount")
class ClosedDamageTest {
    private static final String RECOVERED = "io.daxguard.file.recovered";

    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().build();

    @RegisterExtension
    @Order(Integer.MAX_VALUE) // after XFS: started once it is mounted, stopped before it is unmounted
    static final RunningAgent AGENT = RunningAgent.started();

    private static MBeanServerConnection remote() {
        return AGENT.remote();
    }

    private static long sectorOf(ScratchFilesystem fs, String name) throws Exception {
        FiemapExtent extent = AgentFixture.extents(fs.path(name)).get(0);
        return (extent.physical() + 4096) / 512;
    }

    private static String report(ScratchFilesystem fs, long sector) throws Exception {
        return (String) remote().invoke(ObjectNames.agent(), "reportFailure", new Object[] {
            fs.device().getFileName().toString(), sector, 1L, 5}, new String[] {"java.lang.String", "long", "long", "int"});
    }

    /** Writes a file on {@code fs}, reports its second page as failed; returns its DamagedFile MBean, registered. */
    private static ObjectName damaged(ScratchFilesystem fs, String name, long seed) throws Exception {
        AgentFixture.writeFile(fs.path(name), 64 * 1024, seed);
        report(fs, sectorOf(fs, name));
        ObjectName mbean = ObjectNames.damagedFile(fs.mountPoint().toString(), "/" + name);
        assertThat(remote().isRegistered(mbean)).as("registered while its damage is open").isTrue();
        return mbean;
    }

    private static Object invoke(ObjectName name, String operation, String... arguments) throws Exception {
        String[] signature = new String[arguments.length];
        java.util.Arrays.fill(signature, "java.lang.String");
        return remote().invoke(name, operation, arguments, signature);
    }

    /** What a way of closing does to the file named {@code mbean}. */
    @FunctionalInterface
    private interface Closing {
        void close(ObjectName mbean) throws Exception;
    }

    /**
     * Closes the damage of {@code mbean} by {@code closing}, and returns the file.recovered notification that names
     * it, asserting first that the MBean is no longer registered when it arrives.
     */
    private static CompositeData closedBy(ObjectName mbean, Closing closing) throws Exception {
        BlockingQueue<Notification> received = new LinkedBlockingQueue<>();
        NotificationListener listener = (notification, handback) -> received.add(notification);
        remote().addNotificationListener(ObjectNames.agent(), listener, null, null);
        try {
            closing.close(mbean);
            while (true) {
                Notification next = received.poll(60, TimeUnit.SECONDS); // a bound against hanging only
                assertThat(next).as("file.recovered for " + mbean).isNotNull();
                if (next.getType().equals(RECOVERED)
                        && mbean.toString().equals(((CompositeData) next.getUserData()).get("mbean"))) {
                    assertThat(remote().isRegistered(mbean)).as("registered when file.recovered arrived").isFalse();
                    return (CompositeData) next.getUserData();
                }
            }
        } finally {
            remote().removeNotificationListener(ObjectNames.agent(), listener);
        }
    }

    @Test
    void theMBeanIsGoneAsSoonAsARepairThatClosedTheLastDamageReturns() throws Exception {
        ObjectName mbean = damaged(XFS, "rewritten.bin", 1);

        invoke(mbean, "forceRewriteZeros", "/rewritten.bin");

        assertThat(remote().isRegistered(mbean)).isFalse();
    }

    @Test
    void rewritingUnregistersTheMBeanAndTheNotificationSaysSo() throws Exception {
        ObjectName mbean = damaged(XFS, "rewrite-notified.bin", 2);

        CompositeData recovered = closedBy(mbean, name -> invoke(name, "forceRewriteZeros", "/rewrite-notified.bin"));

        assertThat(recovered.getAll(new String[] {"path", "mbeanUnregistered", "state", "action"}))
                .containsExactly("/rewrite-notified.bin", true, "REWRITTEN", "forceRewriteZeros");
    }

    @Test
    void restoringUnregistersTheMBean() throws Exception {
        ObjectName mbean = damaged(XFS, "restored.bin", 3);
        AgentFixture.writeFile(XFS.path("replica-of-restored.bin"), 64 * 1024, 3);

        CompositeData recovered = closedBy(mbean, name -> invoke(name, "forceRestoreFrom",
                XFS.path("replica-of-restored.bin").toString()));

        assertThat(recovered.get("state")).isEqualTo("RESTORED");
    }

    @Test
    void verifyingGoodUnregistersTheMBean() throws Exception {
        ObjectName mbean = damaged(XFS, "verified.bin", 4); // a scratch disk without faults: it reads clean

        assertThat(closedBy(mbean, name -> invoke(name, "verify")).get("state")).isEqualTo("VERIFIED_GOOD");
    }

    @Test
    void acknowledgingUnregistersTheMBean() throws Exception {
        ObjectName mbean = damaged(XFS, "acknowledged.bin", 5);

        assertThat(closedBy(mbean, name -> invoke(name, "acknowledgeLoss", "scratch")).get("state"))
                .isEqualTo("ACKNOWLEDGED");
    }

    @Test
    void quarantiningUnregistersTheMBean() throws Exception {
        ObjectName mbean = damaged(XFS, "quarantined.bin", 6);

        assertThat(closedBy(mbean, name -> invoke(name, "quarantine")).get("state")).isEqualTo("QUARANTINED");
    }

    @Test
    void aFileFoundGoneByTheIdentityCheckLosesItsMBean() throws Exception {
        ObjectName mbean = damaged(XFS, "deleted.bin", 7);

        CompositeData recovered = closedBy(mbean, name -> {
            Files.delete(XFS.path("deleted.bin"));
            AGENT.agent().checkFiles();
        });

        assertThat(recovered.getAll(new String[] {"state", "action"})).containsExactly("FILE_GONE", "identity check");
    }

    @Test
    void anOwnerSupersededWhenItsBytesAreReportedAgainLosesItsMBean() throws Exception {
        ObjectName mbean = damaged(XFS, "superseded.bin", 8);
        long sector = sectorOf(XFS, "superseded.bin");

        CompositeData recovered = closedBy(mbean, name -> {
            Files.delete(XFS.path("superseded.bin"));
            Command.run("sync", "-f", XFS.mountPoint().toString());
            report(XFS, sector);
        });

        assertThat(recovered.get("state")).isEqualTo(DamageState.SUPERSEDED.name());
    }

    @Test
    void theFilesOfAFilesystemThatWasRemadeLoseTheirMBeans() throws Exception {
        try (ScratchFilesystem remade = ScratchFilesystem.xfs().create()) {
            remote().invoke(ObjectNames.agent(), "refreshTopology", new Object[0], new String[0]);
            ObjectName mbean = damaged(remade, "on-a-remade-filesystem.bin", 9);

            CompositeData recovered = closedBy(mbean, name -> {
                Command.run("umount", remade.mountPoint().toString());
                try {
                    Command.run("mkfs.xfs", "-q", "-f", remade.device().toString());
                } finally {
                    Command.run("mount", "-t", "xfs", remade.device().toString(), remade.mountPoint().toString());
                }
                remote().invoke(ObjectNames.agent(), "refreshTopology", new Object[0], new String[0]);
            });

            assertThat(recovered.get("state")).isEqualTo(DamageState.FILESYSTEM_GONE.name());
        }
    }
}
