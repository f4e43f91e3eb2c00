package io.daxguard.agent.lifetime;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.jmx.ObjectNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * An appliance's lifetime in one scenario on real loop devices: an XFS and an ext4 are damaged (file data,
 * metadata, free space); damaged files are renamed, hard-linked and deleted; the XFS is re-made on its device and
 * mounted elsewhere; the agent is killed with {@code kill -9}; while it is down the ext4's disk is swapped (same
 * loop device, another image); the agent starts again; the new ext4 is damaged and mounted elsewhere; every
 * sector is reported again; the old filesystems' damage is closed by the operator; the agent restarts cleanly.
 *
 * <p>Each step is a test method, run in order on the same appliance, named for what must be true after it. After
 * each, the ledger file, the MBeans (over a real JMX connection) and {@code daxguard status --json} are compared
 * with the truth, which comes from the filesystems themselves ({@link GroundTruth}: {@code xfs_io fsmap},
 * {@code dumpe2fs}, {@code debugfs}, {@code filefrag}, {@code stat}, {@code find -inum}, {@code blkid}) and
 * from what the scenario did ({@link ExpectedRecord}s): nothing lost, nothing counted twice, nothing of one
 * filesystem under another. A failed step does not stop the next ones: each acts on the appliance as it is, so
 * the report lists every step that is not true.
 */
@Tag("mount")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ApplianceLifetimeTest {
    /** How long the views may take to agree with the truth: the agent writes its ledger and reviews mounts asynchronously. */
    private static final Duration SETTLE = Duration.ofSeconds(10);
    private static final long FILE_BYTES = 64 * 1024;

    private Appliance appliance;
    private Path state;
    private Path log;
    private ChildAgent agent;

    private Path xfsDevice;
    private Path xfsMount;
    private Path ext4Device;
    private Path ext4Mount;
    private final List<ExpectedRecord> expected = new ArrayList<>();
    /** Every sector the scenario reported, by label, in the order reported: reported again in step 8. */
    private final List<Sector> reported = new ArrayList<>();

    private record Sector(String label, Path device, long sector) {
    }

    @BeforeAll
    void makeTheAppliance() throws Exception {
        appliance = Appliance.create(); // JUnit runs cleanUp also when this method fails half way
        state = Files.createDirectory(appliance.directory().resolve("state"));
        log = Path.of("target", "lifetime-agent.log").toAbsolutePath();
        Files.deleteIfExists(log);
        xfsDevice = appliance.attach(appliance.image("xfs.img", 320));
        Appliance.mkfs("xfs", xfsDevice);
        xfsMount = appliance.mount(xfsDevice, "xfs", "xfs");
        ext4Device = appliance.attach(appliance.image("ext4.img", 128));
        Appliance.mkfs("ext4", ext4Device);
        ext4Mount = appliance.mount(ext4Device, "ext4", "ext4");
        writeFile(xfsMount.resolve("keep.bin"), 1);
        writeFile(xfsMount.resolve("gone.bin"), 2);
        writeFile(ext4Mount.resolve("swapme"), 3);
        startAgent();
    }

    @AfterAll
    void cleanUp() throws IOException {
        try {
            if (agent != null) {
                agent.close();
                agent = null;
            }
        } finally {
            if (appliance != null) {
                appliance.close();
            }
        }
    }

    @Test
    @Order(10)
    void atStartBothFilesystemsAreHeldOnlineWithNoDamage() throws Exception {
        viewsAreTrue("at start");
    }

    @Test
    @Order(20)
    void damageReportedInFilesMetadataAndFreeSpaceIsRecordedOnceInTheFilesystemThatHoldsIt() throws Exception {
        String xfsUuid = GroundTruth.uuid(xfsDevice);
        String ext4Uuid = GroundTruth.uuid(ext4Device);
        List<String> replies = new ArrayList<>();
        replies.add(reportNew("X1 keep.bin data", xfsDevice, GroundTruth.sectorOf(xfsMount.resolve("keep.bin"), 8192),
                xfsUuid, xfsMount, Owner.file(GroundTruth.inode(xfsMount.resolve("keep.bin"))), false));
        replies.add(reportNew("X2 gone.bin data", xfsDevice, GroundTruth.sectorOf(xfsMount.resolve("gone.bin"), 8192),
                xfsUuid, xfsMount, Owner.file(GroundTruth.inode(xfsMount.resolve("gone.bin"))), false));
        replies.add(reportNew("X3 AG 2 superblock", xfsDevice, GroundTruth.xfsAgSuperblockSector(xfsDevice, 2),
                xfsUuid, xfsMount, Owner.metadata("xfs.static"), true));
        replies.add(reportNew("X4 free space", xfsDevice, GroundTruth.xfsFreeSector(xfsMount), xfsUuid, xfsMount,
                Owner.free(), false));
        replies.add(reportNew("E1 swapme data", ext4Device, GroundTruth.sectorOf(ext4Mount.resolve("swapme"), 8192),
                ext4Uuid, ext4Mount, Owner.file(GroundTruth.inode(ext4Mount.resolve("swapme"))), true));
        replies.add(reportNew("E2 group 1 inode table", ext4Device, GroundTruth.ext4InodeTableSector(ext4Device, 1),
                ext4Uuid, ext4Mount, Owner.metadata("ext4.inode_table"), false));
        replies.add(reportNew("E3 free space", ext4Device, GroundTruth.ext4FreeSector(ext4Device, 1), ext4Uuid,
                ext4Mount, Owner.free(), false));

        assertThat(replies).as("replies to the first reports").noneMatch(reply -> reply.contains("already known"));
        viewsAreTrue("after the first reports");
    }

    @Test
    @Order(30)
    void renamedHardLinkedAndDeletedDamagedFilesAreShownAsTheyAreNow() throws Exception {
        Files.move(ext4Mount.resolve("swapme"), ext4Mount.resolve("swapme.old"));
        Files.createLink(xfsMount.resolve("keep-link.bin"), xfsMount.resolve("keep.bin"));
        Files.delete(xfsMount.resolve("gone.bin"));
        io.daxguard.testkit.Command.run("sync");
        replace("X2 gone.bin data", record -> record.withState("FILE_GONE"));
        // Physical damage outlives its owner: the deleted file's bad bytes stay open damage, now in free space.
        ExpectedRecord gone = expected.stream().filter(record -> record.label().equals("X2 gone.bin data"))
                .findFirst().orElseThrow();
        expected.add(new ExpectedRecord("X2 gone.bin data, its bytes now free space", gone.device(), gone.offset(),
                gone.uuid(), gone.mountPoint(), GroundTruth.xfsOwner(xfsMount, gone.offset() / 512), "OPEN", true, 1));

        viewsAreTrue("after rename, hard link and delete");
    }

    @Test
    @Order(40)
    void anXfsRemadeOnItsDeviceAndMountedElsewhereInheritsTheOpenDeviceDamageAndTheOldRecordsAreGone()
            throws Exception {
        appliance.unmount(xfsMount);
        Appliance.mkfs("xfs", xfsDevice);
        xfsMount = appliance.mount(xfsDevice, "xfs", "xfs-remade");
        agent.remote().invoke(ObjectNames.agent(), "refreshTopology", new Object[0], new String[0]);
        String uuid = GroundTruth.uuid(xfsDevice);
        for (ExpectedRecord old : List.copyOf(expected)) {
            if (old.device().equals(name(xfsDevice)) && old.open()) {
                replace(old.label(), record -> record.withState("FILESYSTEM_GONE"));
                expected.add(new ExpectedRecord(old.label() + ", inherited by the re-made XFS", old.device(),
                        old.offset(), uuid, xfsMount.toString(), GroundTruth.xfsOwner(xfsMount, old.offset() / 512),
                        "OPEN", true, 1));
            }
        }

        viewsAreTrue("after the XFS was re-made and mounted elsewhere");
    }

    @Test
    @Order(50)
    void aKilledAgentLeftEveryRecordAndStateInTheLedgerFile() throws Exception {
        agent.kill();
        agent = null;

        assertThat(new Views.Check(views(), state, null).ledgerOnly()).as("ledger after kill -9").isEmpty();
    }

    /**
     * With the agent dead, {@code daxguard events} and {@code daxguard status --offline} read the ledger file and say
     * what is true.
     */
    @Test
    @Order(55)
    void eventsAndOfflineStatusReadTheLedgerWithTheAgentStopped() throws Exception {
        ChildAgent.CommandResult events = ChildAgent.CommandResult.run("events", "--state-dir", state.toString(),
                "--json");
        assertThat(events.exitCode()).as("events: " + events.err()).isZero();
        for (ExpectedRecord record : expected) {
            assertThat(events.out()).as("events name the filesystem of " + record.label()).contains(record.uuid());
        }
        ChildAgent.CommandResult offline = ChildAgent.CommandResult.run("status", "--offline", "--state-dir",
                state.toString(), "--json");
        assertThat(views().status(offline)).as("status --offline --json").isEmpty();
    }

    @Test
    @Order(60)
    void anExt4WhoseDiskWasSwappedWhileTheAgentWasDownIsANewFilesystemAndTheOldDisksDamageIsGone()
            throws Exception {
        if (agent != null) { // the kill step failed to run: the swap must happen while no agent runs
            agent.kill();
            agent = null;
        }
        appliance.unmount(ext4Mount);
        appliance.detach(ext4Device);
        Path newDisk = appliance.image("ext4-new.img", 128);
        Appliance.mkfs("ext4", newDisk);
        appliance.attachAt(ext4Device, newDisk);
        ext4Mount = appliance.mount(ext4Device, "ext4", "ext4");
        writeFile(ext4Mount.resolve("fresh.bin"), 4);
        for (ExpectedRecord old : List.copyOf(expected)) {
            if (old.device().equals(name(ext4Device)) && old.open()) {
                replace(old.label(), record -> record.withState("FILESYSTEM_GONE")); // another disk: not inherited
            }
        }

        startAgent();

        viewsAreTrue("after the restart on a swapped ext4 disk");
    }

    @Test
    @Order(70)
    void damageOfAnExt4MountedElsewhereFollowsItsUuidToTheNewMountPoint() throws Exception {
        Path fresh = ext4Mount.resolve("fresh.bin");
        String reply = reportNew("E4 fresh.bin data", ext4Device, GroundTruth.sectorOf(fresh, 40960),
                GroundTruth.uuid(ext4Device), ext4Mount, Owner.file(GroundTruth.inode(fresh)), false);
        appliance.unmount(ext4Mount);
        ext4Mount = appliance.mount(ext4Device, "ext4", "ext4-moved");
        agent.remote().invoke(ObjectNames.agent(), "refreshTopology", new Object[0], new String[0]);
        awaitReverseMap(ext4Mount);

        assertThat(reply).doesNotContain("already known");
        viewsAreTrue("after the ext4 was mounted elsewhere");
    }

    @Test
    @Order(80)
    void everySectorReportedAgainIsKnownOnlyWhereTheSameFilesystemAndOwnerHoldItNow() throws Exception {
        List<String> wrongReplies = new ArrayList<>();
        for (Sector sector : List.copyOf(reported)) {
            Path mount = GroundTruth.mountPointOf(sector.device());
            String uuid = GroundTruth.uuid(sector.device());
            Owner now = sector.device().equals(xfsDevice) ? GroundTruth.xfsOwner(mount, sector.sector())
                    : GroundTruth.ext4Owner(sector.device(), sector.sector());
            long offset = sector.sector() * 512;
            ExpectedRecord known = expected.stream().filter(record -> record.open()
                    && record.device().equals(name(sector.device())) && record.offset() == offset
                    && record.uuid().equals(uuid) && record.owner().equals(now)).findFirst().orElse(null);
            String reply = report(sector.device(), sector.sector());
            if (known != null) {
                replace(known.label(), ExpectedRecord::seenAgain);
                if (!reply.contains("already known")) {
                    wrongReplies.add(sector.label() + " (known as " + known.label() + "): " + reply);
                }
            } else {
                for (ExpectedRecord stale : List.copyOf(expected)) {
                    if (stale.open() && stale.device().equals(name(sector.device())) && stale.offset() == offset) {
                        replace(stale.label(), record -> record.withState("SUPERSEDED"));
                    }
                }
                expected.add(new ExpectedRecord(sector.label() + ", reported again in " + uuid, name(sector.device()),
                        offset, uuid, mount.toString(), now, "OPEN", false, 1));
                if (reply.contains("already known")) {
                    wrongReplies.add(sector.label() + " (new in " + uuid + "): " + reply);
                }
            }
        }

        assertThat(wrongReplies).as("replies that say 'already known' wrongly, or fail to").isEmpty();
        viewsAreTrue("after every sector was reported again");
    }

    @Test
    @Order(90)
    void theOperatorClosesTheGoneFilesystemsDamageOnTheDevice() throws Exception {
        List<String> replies = new ArrayList<>();
        for (Path device : List.of(xfsDevice, ext4Device)) {
            ObjectName bean = ObjectNames.device(name(device));
            for (CompositeData gone : (CompositeData[]) agent.remote().getAttribute(bean, "GoneFilesystemDamage")) {
                replies.add((String) agent.remote().invoke(bean, "acknowledgeGoneDamage",
                        new Object[] {gone.get("recordId"), "disk re-made or replaced"},
                        new String[] {"long", "java.lang.String"}));
            }
        }
        for (ExpectedRecord gone : List.copyOf(expected)) {
            if (gone.state().equals("FILESYSTEM_GONE")) {
                replace(gone.label(), record -> record.withState("ACKNOWLEDGED"));
            }
        }

        assertThat(replies).allMatch(reply -> reply.contains("acknowledged"));
        viewsAreTrue("after the operator acknowledged the gone filesystems' damage");
    }

    @Test
    @Order(100)
    void aCleanRestartChangesNothing() throws Exception {
        if (agent != null) {
            agent.stop();
            agent = null;
        }
        startAgent();

        viewsAreTrue("after a clean restart");
    }

    // --- the scenario's means ---

    private void startAgent() throws Exception {
        agent = ChildAgent.start(state, appliance.directory(), log);
        for (Path mount : List.of(xfsMount, ext4Mount)) {
            awaitReverseMap(mount);
        }
    }

    /** Waits, as an operator can, until owners of file data can be named (ext4's index is built). */
    private void awaitReverseMap(Path mount) throws Exception {
        ObjectName filesystem = ObjectNames.filesystem(mount.toString());
        if (agent.remote().isRegistered(filesystem)) {
            agent.remote().invoke(filesystem, "awaitReverseMap", new Object[] {60}, new String[] {"int"});
        }
    }

    /** Reports a sector not reported before and expects a new record of it; the first ones also through the CLI. */
    private String reportNew(String label, Path device, long sector, String uuid, Path mount, Owner intended,
                             boolean withTheCommandLine) throws Exception {
        Owner truth = device.equals(xfsDevice) ? GroundTruth.xfsOwner(mount, sector)
                : GroundTruth.ext4Owner(device, sector);
        assertThat(truth).as("the ground truth of " + label + " (the scenario's own set-up)").isEqualTo(intended);
        reported.add(new Sector(label, device, sector));
        expected.add(new ExpectedRecord(label, name(device), sector * 512, uuid, mount.toString(), truth, "OPEN", false,
                1));
        if (withTheCommandLine) {
            ChildAgent.CommandResult result = agent.cli("report", name(device), String.valueOf(sector), "1");
            assertThat(result.exitCode()).as("daxguard report: " + result.err()).isZero();
            return result.out();
        }
        return report(device, sector);
    }

    private String report(Path device, long sector) throws Exception {
        return (String) agent.remote().invoke(ObjectNames.agent(), "reportFailure",
                new Object[] {name(device), sector, 1L, 5}, new String[] {"java.lang.String", "long", "long", "int"});
    }

    private void replace(String label, java.util.function.UnaryOperator<ExpectedRecord> change) {
        for (int i = 0; i < expected.size(); i++) {
            if (expected.get(i).label().equals(label)) {
                expected.set(i, change.apply(expected.get(i)));
                return;
            }
        }
        throw new IllegalArgumentException("no expected record " + label);
    }

    private Views views() throws Exception {
        List<Views.CurrentFilesystem> filesystems = new ArrayList<>();
        for (Path device : List.of(xfsDevice, ext4Device)) {
            Path mount = GroundTruth.mountPointOf(device);
            if (mount != null) {
                filesystems.add(new Views.CurrentFilesystem(GroundTruth.uuid(device), device, mount));
            }
        }
        return Views.of(expected, filesystems);
    }

    /**
     * Compares every view with the truth until they agree or {@link #SETTLE} has passed. The agent is another
     * process whose ledger commits and mount reviews have no completion signal an operator could see, so the
     * views are read again (every 200 ms) rather than once; what they say at the end is what fails the step.
     */
    private void viewsAreTrue(String when) throws Exception {
        Views views = views();
        Views.Check check = new Views.Check(views, state, agent);
        Instant deadline = Instant.now().plus(SETTLE);
        List<String> differences = check.all();
        while (!differences.isEmpty() && Instant.now().isBefore(deadline)) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            differences = check.all();
        }
        assertThat(differences).as("what daxguard shows " + when + " that is not true").isEmpty();
    }

    private static void writeFile(Path file, long seed) throws IOException {
        byte[] data = new byte[(int) FILE_BYTES];
        new java.util.Random(seed).nextBytes(data);
        Files.write(file, data);
        io.daxguard.testkit.Command.run("sync");
    }

    private static String name(Path device) {
        return device.getFileName().toString();
    }
}
