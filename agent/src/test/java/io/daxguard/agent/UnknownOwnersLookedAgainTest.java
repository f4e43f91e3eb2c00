package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.Damage;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.spi.UnknownOwner;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A failure that came while ext4's index was still being built was recorded with an unknown owner (routing
 * never waits for an index). Once the index is ready the agent looks again: the file is named in a new record
 * and the unknown owner is superseded. The record is made here as the router makes it during a build, since a
 * build of a small filesystem is over before a test could report into it.
 */
@Tag("mount")
class UnknownOwnersLookedAgainTest {
    private static final String BUILDING = "reverse-map index being built, 40% done";

    @RegisterExtension
    static final ScratchFilesystem EXT4 = ScratchFilesystem.ext4().mkfsOptions("-b", "4096").build();

    @RegisterExtension
    @Order(Integer.MAX_VALUE) // after EXT4: started once it is mounted, stopped before it is unmounted
    static final RunningAgent AGENT = RunningAgent.startedAfter(() -> {
        AgentFixture.writeFile(EXT4.path("first.bin"), 16 * 1024, 1);
        AgentFixture.writeFile(EXT4.path("second.bin"), 16 * 1024, 2);
    });

    @BeforeAll
    static void awaitTheIndex() throws Exception {
        assertThat(filesystem().holder().orElseThrow().awaitReverseMap(Duration.ofMinutes(2))).as("index built")
                .isTrue();
    }

    private static AttachedFilesystem filesystem() throws Exception {
        return AGENT.agent().filesystems().on(EXT4.deviceNumber()).orElseThrow();
    }

    /** Records an unknown owner over the first block of {@code file}, as a failure during the build is recorded. */
    private static DamageRecord recordedDuringTheBuild(String file) throws Exception {
        FiemapExtent extent = AgentFixture.extents(EXT4.path(file)).get(0);
        AttachedFilesystem filesystem = filesystem();
        return AGENT.agent().ledger().recordAsync(new Damage(EXT4.deviceNumber(), EXT4.device().getFileName()
                .toString(), extent.physical(), 4096, 5, "kmsg", Instant.now(), List.of(new AffectedOwner(
                filesystem.reference(), new UnknownOwner(extent.physical(), 4096, BUILDING), List.of())))).join();
    }

    @Test
    void namesTheFileOnceTheUnknownOwnerIsLookedAgain() throws Exception {
        recordedDuringTheBuild("first.bin");

        AGENT.agent().unknownOwners().lookAgain(filesystem());

        assertThat(AGENT.remote().isRegistered(ObjectNames.damagedFile(EXT4.mountPoint().toString(), "/first.bin")))
                .isTrue();
    }

    @Test
    void supersedesTheUnknownOwnerOnceLookedAgain() throws Exception {
        DamageRecord during = recordedDuringTheBuild("second.bin");

        AGENT.agent().unknownOwners().lookAgain(filesystem());

        assertThat(AGENT.agent().ledger().find(during.id()).orElseThrow().owners())
                .extracting(AffectedOwner::state).containsExactly(DamageState.SUPERSEDED);
    }

    @Test
    void replacesNothingWhenNoOwnerIsUnknown() throws Exception {
        AGENT.agent().unknownOwners().lookAgain(filesystem());

        assertThat(AGENT.agent().unknownOwners().lookAgain(filesystem())).isZero();
    }
}
