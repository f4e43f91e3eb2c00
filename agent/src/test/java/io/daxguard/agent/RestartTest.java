package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Damage survives a restart: damage is found, some of it repaired or accepted, a file is deleted while the
 * agent is down; a new agent on the same state directory shows the same MBeans and states.
 */
@Tag("mount")
class RestartTest {
    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().build();

    private static Path state;
    private static Set<ObjectName> namesBefore;
    private static Map<String, String> statesBefore;
    private static AgentFixture restarted;
    private static MBeanServerConnection remote;

    @BeforeAll
    static void damageStopAndStartAgain() throws Exception {
        state = Files.createTempDirectory("daxguard-restart-state-");
        for (String name : new String[] {"open.bin", "quarantined.bin", "acknowledged.bin", "deleted.bin"}) {
            AgentFixture.writeFile(XFS.path(name), 32 * 1024, name.hashCode());
        }
        try (AgentFixture first = new AgentFixture(state)) {
            MBeanServerConnection before = first.remote();
            for (String name : new String[] {"open.bin", "quarantined.bin", "acknowledged.bin", "deleted.bin"}) {
                FiemapExtent extent = AgentFixture.extents(XFS.path(name)).get(0);
                before.invoke(ObjectNames.agent(), "reportFailure", new Object[] {XFS.device().getFileName().toString(),
                    (extent.physical() + 4096) / 512, 1L, 5}, new String[] {"java.lang.String", "long", "long", "int"});
            }
            before.invoke(file("/quarantined.bin"), "quarantine", new Object[0], new String[0]);
            before.invoke(file("/acknowledged.bin"), "acknowledgeLoss", new Object[] {"test data"},
                    new String[] {"java.lang.String"});
            namesBefore = before.queryNames(ObjectNames.damagedFilesOf(XFS.mountPoint().toString()), null);
            statesBefore = states(before);
        }
        Files.delete(XFS.path("deleted.bin"));
        restarted = new AgentFixture(state);
        remote = restarted.remote();
    }

    @AfterAll
    static void stop() throws Exception {
        if (restarted != null) {
            restarted.close();
        }
        if (state != null) {
            AgentFixture.deleteTree(state);
        }
    }

    private static ObjectName file(String path) {
        return ObjectNames.damagedFile(XFS.mountPoint().toString(), path);
    }

    /** Every damaged file of the filesystem by path, with its state, from the paged listing. */
    private static Map<String, String> states(MBeanServerConnection connection) throws Exception {
        CompositeData[] files = (CompositeData[]) connection.invoke(ObjectNames.filesystem(XFS.mountPoint().toString()),
                "listDamagedFiles", new Object[] {0, 1000}, new String[] {"int", "int"});
        return Arrays.stream(files).collect(Collectors.toMap(row -> (String) row.get("path"),
                row -> (String) row.get("state"), (a, b) -> a, TreeMap::new));
    }

    @Test
    void theOpenFileHasItsMBeanAgainInTheSameState() throws Exception {
        assertThat(remote.getAttribute(file("/open.bin"), "State")).isEqualTo("OPEN");
    }

    @Test
    void onlyFilesWithOpenDamageGetMBeansAgain() throws Exception {
        Set<ObjectName> names = remote.queryNames(ObjectNames.damagedFilesOf(XFS.mountPoint().toString()), null);

        assertThat(names).containsExactly(file("/open.bin")).isSubsetOf(namesBefore);
    }

    @Test
    void quarantinedAndAcknowledgedFilesKeepTheirStates() throws Exception {
        Map<String, String> after = states(remote);

        assertThat(after).containsAllEntriesOf(statesBefore.entrySet().stream()
                .filter(entry -> !entry.getKey().equals("/deleted.bin"))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
    }

    @Test
    void aFileDeletedWhileTheAgentWasDownIsMarkedGoneNotDropped() throws Exception {
        assertThat(states(remote)).containsEntry("/deleted.bin", "FILE_GONE");
    }

    @Test
    void theStatesBeforeTheRestartWereTheOnesExpected() {
        assertThat(statesBefore).containsEntry("/acknowledged.bin", "ACKNOWLEDGED").containsEntry("/open.bin", "OPEN")
                .containsEntry("/deleted.bin", "OPEN").hasEntrySatisfying(
                        statesBefore.keySet().stream().filter(path -> path.contains("quarantine")).findFirst().orElse("?"),
                        value -> assertThat(value).isEqualTo("QUARANTINED"));
    }
}
