package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.spi.FileOwner;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.ScratchFilesystem;
import java.util.List;
import javax.management.MBeanServerConnection;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A bad sector stays bad when the filesystem on it is re-made: the damage recorded in the old filesystem becomes
 * FILESYSTEM_GONE and is resolved again, inherited, in the new one; reporting the sector again is then known in
 * the new filesystem, never in the old one's record.
 */
@Tag("mount")
class FilesystemRemadeTest {
    @Test
    void damageOfARemadeFilesystemIsInheritedByTheNewOneAndTheOldRecordSaysItsFilesystemIsGone() throws Exception {
        try (ScratchFilesystem xfs = ScratchFilesystem.xfs().create()) {
            remadeInherits(xfs);
        }
    }

    private static void remadeInherits(ScratchFilesystem xfs) throws Exception {
        AgentFixture.writeFile(xfs.path("victim.bin"), 64 * 1024, 7);
        FiemapExtent extent = AgentFixture.extents(xfs.path("victim.bin")).get(0);
        long sector = (extent.physical() + 8192) / 512;
        String device = xfs.device().getFileName().toString();
        String oldUuid = uuidOf(xfs);
        try (AgentFixture fixture = new AgentFixture()) {
            MBeanServerConnection remote = fixture.remote();
            report(remote, device, sector);
            DamageRecord first = only(fixture.agent().ledger().records());
            assertThat(first.owners()).anyMatch(owner -> owner.owner() instanceof FileOwner);

            remake(xfs);
            String newUuid = uuidOf(xfs);
            remote.invoke(ObjectNames.agent(), "refreshTopology", new Object[0], new String[0]);
            fixture.agent().router().afterQueued(() -> null).get(); // the review runs on the router, queued first

            List<DamageRecord> records = fixture.agent().ledger().records();
            DamageRecord old = records.stream().filter(r -> r.id() == first.id()).findFirst().orElseThrow();
            DamageRecord inherited = records.stream().filter(r -> r.id() != first.id()).findFirst().orElseThrow();
            assertThat(old.state()).isEqualTo(DamageState.FILESYSTEM_GONE);
            assertThat(old.filesystem().orElseThrow().uuid()).isEqualTo(oldUuid);
            assertThat(inherited.inheritedFrom()).isEqualTo(first.id());
            assertThat(inherited.filesystem().orElseThrow().uuid()).isEqualTo(newUuid);
            assertThat(inherited.owners()).noneMatch(owner -> owner.owner() instanceof FileOwner);
            assertThat(inherited.offset()).isEqualTo(first.offset());
            assertThat(inherited.state()).isEqualTo(DamageState.OPEN);

            String again = report(remote, device, sector);

            assertThat(again).contains("already known");
            assertThat(fixture.agent().ledger().records()).hasSize(2);
            assertThat(fixture.agent().ledger().find(inherited.id()).orElseThrow().count()).isEqualTo(2);
        }
    }

    @Test
    void theGoneFilesystemsDamageIsListedOnTheDeviceAndOnlyItCanBeAcknowledgedThere() throws Exception {
        try (ScratchFilesystem xfs = ScratchFilesystem.xfs().create()) {
            AgentFixture.writeFile(xfs.path("victim.bin"), 64 * 1024, 7);
            long sector = (AgentFixture.extents(xfs.path("victim.bin")).get(0).physical() + 8192) / 512;
            String device = xfs.device().getFileName().toString();
            try (AgentFixture fixture = new AgentFixture()) {
                MBeanServerConnection remote = fixture.remote();
                report(remote, device, sector);
                long old = only(fixture.agent().ledger().records()).id();
                remake(xfs);
                remote.invoke(ObjectNames.agent(), "refreshTopology", new Object[0], new String[0]);
                fixture.agent().router().afterQueued(() -> null).get();
                long inherited = fixture.agent().ledger().records().stream().filter(r -> r.id() != old)
                        .findFirst().orElseThrow().id();
                javax.management.ObjectName deviceBean = ObjectNames.device(device);

                CompositeData[] gone = (CompositeData[]) remote.getAttribute(deviceBean, "GoneFilesystemDamage");
                assertThat(gone).extracting(row -> row.get("recordId")).containsExactly(old);
                assertThatThrownBy(() -> acknowledge(remote, deviceBean, inherited))
                        .hasStackTraceContaining("recordId: record " + inherited + " is OPEN");
                assertThat(acknowledge(remote, deviceBean, old)).contains("acknowledged: re-made for tests");
                assertThat(fixture.agent().ledger().find(old).orElseThrow().state())
                        .isEqualTo(DamageState.ACKNOWLEDGED);
                assertThat((CompositeData[]) remote.getAttribute(deviceBean, "GoneFilesystemDamage")).isEmpty();
            }
        }
    }

    private static String acknowledge(MBeanServerConnection remote, javax.management.ObjectName device, long id)
            throws Exception {
        return (String) remote.invoke(device, "acknowledgeGoneDamage", new Object[] {id, "re-made for tests"},
                new String[] {"long", "java.lang.String"});
    }

    @Test
    void anAgentStartedAfterItsFilesystemWasRemadeShowsTheInheritedDamageAsSoonAsItIsUp() throws Exception {
        try (ScratchFilesystem xfs = ScratchFilesystem.xfs().create()) {
            AgentFixture.writeFile(xfs.path("victim.bin"), 64 * 1024, 7);
            long sector = (AgentFixture.extents(xfs.path("victim.bin")).get(0).physical() + 8192) / 512;
            java.nio.file.Path state = java.nio.file.Files.createTempDirectory("daxguard-remade-state-");
            try {
                long first;
                try (AgentFixture before = new AgentFixture(state)) {
                    report(before.remote(), xfs.device().getFileName().toString(), sector);
                    first = only(before.agent().ledger().records()).id();
                }
                remake(xfs);

                try (AgentFixture after = new AgentFixture(state)) {
                    // No wait here: start returns once the device's history is reviewed.
                    List<DamageRecord> records = after.agent().ledger().records();
                    assertThat(records).extracting(DamageRecord::inheritedFrom).containsExactlyInAnyOrder(0L, first);
                    assertThat(after.agent().ledger().find(first).orElseThrow().state())
                            .isEqualTo(DamageState.FILESYSTEM_GONE);
                }
            } finally {
                AgentFixture.deleteTree(state);
            }
        }
    }

    @Test
    void aFailureOnAFilesystemRemadeWhereTheOldOneWasMountedIsResolvedInTheNewOneWithoutBeingAskedToLookAgain()
            throws Exception {
        try (ScratchFilesystem xfs = ScratchFilesystem.xfs().create()) {
            AgentFixture.writeFile(xfs.path("victim.bin"), 64 * 1024, 7);
            long sector = (AgentFixture.extents(xfs.path("victim.bin")).get(0).physical() + 8192) / 512;
            String device = xfs.device().getFileName().toString();
            try (AgentFixture fixture = new AgentFixture()) {
                report(fixture.remote(), device, sector);
                DamageRecord first = only(fixture.agent().ledger().records());
                remake(xfs); // mountinfo may read exactly as before: the same mount id is reused

                // Known or not depends on whether the mount watcher's review (an inherited record) came first;
                // either way the damage is the new filesystem's, once.
                report(fixture.remote(), device, sector);
                fixture.agent().router().afterQueued(() -> null).get();

                DamageRecord now = fixture.agent().ledger().records().stream().filter(r -> r.id() != first.id())
                        .findFirst().orElseThrow();
                assertThat(now.filesystem().orElseThrow().uuid()).isEqualTo(uuidOf(xfs));
                assertThat(fixture.agent().ledger().find(first.id()).orElseThrow().state())
                        .isEqualTo(DamageState.FILESYSTEM_GONE);
                assertThat(fixture.agent().ledger().records()).hasSize(2);
            }
        }
    }

    @Test
    void aSectorReportedAgainAfterItsFileWasDeletedIsNewDamageAndTheOldOwnerIsSuperseded() throws Exception {
        try (ScratchFilesystem xfs = ScratchFilesystem.xfs().create()) {
            deletedFileIsSuperseded(xfs);
        }
    }

    /**
     * Physical damage outlives its owner: the identity check closes a deleted file's damage (FILE_GONE), not its bad
     * bytes, which are resolved again in what holds them now (free space), in a record inherited from the file's.
     */
    @Test
    void aDeletedFilesBadSectorStaysOpenInARecordInheritedFromTheFilesRecord() throws Exception {
        try (ScratchFilesystem xfs = ScratchFilesystem.xfs().create()) {
            AgentFixture.writeFile(xfs.path("victim.bin"), 64 * 1024, 7);
            long sector = (AgentFixture.extents(xfs.path("victim.bin")).get(0).physical() + 8192) / 512;
            try (AgentFixture fixture = new AgentFixture()) {
                report(fixture.remote(), xfs.device().getFileName().toString(), sector);
                DamageRecord first = only(fixture.agent().ledger().records());
                java.nio.file.Files.delete(xfs.path("victim.bin"));
                Command.run("sync", "-f", xfs.mountPoint().toString());

                fixture.agent().checkFiles();

                DamageRecord inherited = fixture.agent().ledger().records().stream()
                        .filter(record -> record.inheritedFrom() == first.id()).findFirst().orElseThrow();
                assertThat(List.of(fixture.agent().ledger().find(first.id()).orElseThrow().state(), inherited.state(),
                        inherited.offset(), inherited.owners().stream().noneMatch(o -> o.owner() instanceof FileOwner)))
                        .containsExactly(DamageState.FILE_GONE, DamageState.OPEN, first.offset(), true);
            }
        }
    }

    private static void deletedFileIsSuperseded(ScratchFilesystem xfs) throws Exception {
        AgentFixture.writeFile(xfs.path("victim.bin"), 64 * 1024, 7);
        FiemapExtent extent = AgentFixture.extents(xfs.path("victim.bin")).get(0);
        long sector = (extent.physical() + 8192) / 512;
        String device = xfs.device().getFileName().toString();
        try (AgentFixture fixture = new AgentFixture()) {
            MBeanServerConnection remote = fixture.remote();
            report(remote, device, sector);
            DamageRecord first = only(fixture.agent().ledger().records());
            java.nio.file.Files.delete(xfs.path("victim.bin"));
            Command.run("sync");

            String again = report(remote, device, sector);

            assertThat(again).doesNotContain("already known");
            List<DamageRecord> records = fixture.agent().ledger().records();
            assertThat(records).hasSize(2);
            assertThat(fixture.agent().ledger().find(first.id()).orElseThrow().state())
                    .isEqualTo(DamageState.SUPERSEDED);
            assertThat(records.get(1).owners()).noneMatch(owner -> owner.owner() instanceof FileOwner);
        }
    }

    private static String report(MBeanServerConnection remote, String device, long sector) throws Exception {
        return (String) remote.invoke(ObjectNames.agent(), "reportFailure", new Object[] {device, sector, 1L, 5},
                new String[] {"java.lang.String", "long", "long", "int"});
    }

    private static DamageRecord only(List<DamageRecord> records) {
        assertThat(records).hasSize(1);
        return records.get(0);
    }

    private static String uuidOf(ScratchFilesystem filesystem) throws Exception {
        return Command.run("blkid", "-s", "UUID", "-o", "value", filesystem.device().toString()).strip();
    }

    /** mkfs again on the same device (a new UUID) and mounted where it was, as an administrator would. */
    private static void remake(ScratchFilesystem filesystem) throws Exception {
        Command.run("umount", filesystem.mountPoint().toString());
        try {
            Command.run("mkfs.xfs", "-q", "-f", filesystem.device().toString());
        } finally {
            Command.run("mount", "-t", "xfs", filesystem.device().toString(), filesystem.mountPoint().toString());
        }
    }
}
