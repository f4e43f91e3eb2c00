package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.LedgerSettings;
import io.daxguard.agent.ledger.SqliteDamageLedger;
import io.daxguard.spi.Holder;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole agent restarted on a state directory that became full or read-only while it was down (a small tmpfs):
 * it starts, names a file made while it was down from the saved index and its catch-up build, still shows the damage
 * its ledger held, and the ledger is intact once the directory is usable again.
 */
@Tag("mount")
class StateDirectoryAdversarialTest {
    @RegisterExtension
    static final ScratchFilesystem EXT4 = ScratchFilesystem.ext4().mkfsOptions("-b", "4096").build();
    @TempDir
    Path temporary;

    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd("mount", "umount");
    }

    private AgentFixture agent(Path state) throws Exception {
        return new AgentFixture(state, io.daxguard.agent.recovery.RecoverySettings.defaults(),
                settings -> settings.withWatchedMountPoints(List.of(EXT4.mountPoint())));
    }

    private static Holder readyHolder(AgentFixture agent) throws Exception {
        Holder holder = agent.agent().filesystems().on(EXT4.deviceNumber()).orElseThrow().holder().orElseThrow();
        assertThat(holder.awaitReverseMap(Duration.ofMinutes(2))).as("index ready").isTrue();
        return holder;
    }

    /** Damage under {@code file}, reported as the kernel would, recorded in the ledger. */
    private static void reportUnder(AgentFixture agent, Path file) throws Exception {
        long sector = AgentFixture.extents(file).get(0).physical() / 512;
        agent.remote().invoke(ObjectNames.agent(), "reportFailure",
                new Object[] {EXT4.device().getFileName().toString(), sector, 1L, 5},
                new String[] {"java.lang.String", "long", "long", "int"});
    }

    private static List<List<String>> pathsOwning(AgentFixture agent, Path file) throws Exception {
        long offset = AgentFixture.extents(file).get(0).physical();
        CompositeData[] owners = (CompositeData[]) agent.remote().invoke(
                ObjectNames.filesystem(EXT4.mountPoint().toString()), "resolve", new Object[] {offset, 4096L},
                new String[] {"long", "long"});
        return Arrays.stream(owners).map(owner -> Arrays.asList((String[]) owner.get("paths"))).toList();
    }

    enum Trouble { FULL, READ_ONLY }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Trouble.class)
    void anAgentRestartedOnAFullOrReadOnlyStateDirectoryStartsAnswersRightAndKeepsItsLedger(Trouble trouble)
            throws Exception {
        Path state = Files.createDirectory(temporary.resolve("state"));
        Command.run("mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "daxguard-test-state", state.toString());
        try {
            Path damaged = EXT4.path("damaged-" + trouble + ".bin");
            AgentFixture.writeFile(damaged, 64 * 1024, 1);
            try (AgentFixture agent = agent(state)) {
                readyHolder(agent);
                reportUnder(agent, damaged);
                assertThat(agent.remote().isRegistered(ObjectNames.damagedFile(EXT4.mountPoint().toString(),
                        "/" + damaged.getFileName()))).isTrue();
            }
            Path filler = state.resolve("filler");
            switch (trouble) {
                case FULL -> fill(filler);
                case READ_ONLY -> Command.run("mount", "-o", "remount,ro", state.toString());
                default -> throw new AssertionError(trouble);
            }
            Path whileDown = EXT4.path("while-down-" + trouble + ".bin");
            AgentFixture.writeFile(whileDown, 256 * 1024, 2);

            try (AgentFixture agent = agent(state)) {
                readyHolder(agent);

                assertThat(pathsOwning(agent, whileDown)).containsExactly(List.of("/" + whileDown.getFileName()));
                assertThat(pathsOwning(agent, damaged)).containsExactly(List.of("/" + damaged.getFileName()));
                assertThat(agent.remote().isRegistered(ObjectNames.damagedFile(EXT4.mountPoint().toString(),
                        "/" + damaged.getFileName()))).as("the damage the ledger held").isTrue();
            }
            if (trouble == Trouble.FULL) {
                Files.delete(filler);
            } else {
                Command.run("mount", "-o", "remount,rw", state.toString());
            }
            try (SqliteDamageLedger ledger = SqliteDamageLedger.open(state, LedgerSettings.defaults(),
                    Clock.systemUTC())) {
                assertThat(ledger.records()).as("the ledger after the troubled run").extracting(DamageRecord::offset)
                        .contains(AgentFixture.extents(damaged).get(0).physical());
            }
        } finally {
            Command.run("umount", state.toString());
        }
    }

    /** Writes {@code file} until its filesystem is full. */
    private static void fill(Path file) throws IOException {
        ByteBuffer page = ByteBuffer.allocate(1 << 16);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            while (true) {
                channel.write(page.clear());
            }
        } catch (IOException full) {
            assertThat(full.getMessage()).contains("No space left");
        }
    }
}
