package io.daxguard.agent.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.ledger.FilesystemRef;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Fork;
import io.daxguard.spi.FreeSpaceOwner;
import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.Owner;
import io.daxguard.spi.UnknownOwner;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The rule for "already known", one owner kind or change at a time, on values (no filesystem needed). */
class StillKnownTest {
    private static final DeviceNumber DEVICE = new DeviceNumber(7, 3);
    private static final FilesystemRef FS = new FilesystemRef("uuid-a", DEVICE, "/srv", "xfs");
    private static final String DISK = "loop backing file 254:1 inode 12";
    private static final long FROM = 4096;
    private static final long END = 8192;

    private static AffectedOwner owner(Owner owner) {
        return new AffectedOwner(FS, owner, List.of());
    }

    private static DamageRecord record(String medium, AffectedOwner... owners) {
        return new DamageRecord(1, DEVICE, "loop3", FROM, END - FROM, 5, "kmsg", Instant.EPOCH, Instant.EPOCH, 1,
                List.of(owners), DamageState.OPEN, 0, medium);
    }

    private static FileOwner file(long inode) {
        return new FileOwner(inode, 1, Fork.DATA, 0, FROM, END - FROM, false, false);
    }

    private static StillKnown.Verdict judge(DamageRecord record, Owner... now) {
        return StillKnown.judge(record, DISK, Optional.of("uuid-a"),
                List.of(now).stream().map(StillKnownTest::owner).toList(), FROM, END);
    }

    @Test
    void theSameFileStillHoldingTheBytesIsKnown() {
        assertThat(judge(record(DISK, owner(file(5))), file(5)).known()).isTrue();
    }

    @Test
    void anotherFileHoldingTheBytesNowIsNewAndTheOldFileIsSuperseded() {
        StillKnown.Verdict verdict = judge(record(DISK, owner(file(5))), file(6));

        assertThat(verdict.known()).isFalse();
        assertThat(verdict.noLongerOwning()).containsExactly(0);
    }

    @Test
    void freeSpaceSinceAllocatedToAFileIsNew() {
        assertThat(judge(record(DISK, owner(new FreeSpaceOwner(FROM, END - FROM))), file(5)).known()).isFalse();
    }

    @Test
    void theSameMetadataIsKnownAndOtherMetadataIsNot() {
        DamageRecord agHeader = record(DISK, owner(new MetadataOwner("xfs.agf", "AG 2 free space header", "", FROM,
                END - FROM)));

        assertThat(judge(agHeader, new MetadataOwner("xfs.agf", "AG 2 free space header", "", FROM, END - FROM))
                .known()).isTrue();
        assertThat(judge(agHeader, new MetadataOwner("xfs.log", "log", "", FROM, END - FROM)).known()).isFalse();
    }

    @Test
    void anUnknownOwnerNamedNowIsNew() {
        assertThat(judge(record(DISK, owner(new UnknownOwner(FROM, END - FROM, "index building"))), file(5)).known())
                .isFalse();
    }

    @Test
    void anotherFilesystemOnTheDeviceIsNewWhateverItsOwners() {
        DamageRecord record = record(DISK, owner(new FreeSpaceOwner(FROM, END - FROM)));

        assertThat(StillKnown.judge(record, DISK, Optional.of("uuid-b"), List.of(new AffectedOwner(
                new FilesystemRef("uuid-b", DEVICE, "/srv", "xfs"), new FreeSpaceOwner(FROM, END - FROM), List.of())),
                FROM, END).known()).isFalse();
    }

    @Test
    void anotherDiskUnderTheSameDeviceNameIsNew() {
        DamageRecord record = record(DISK, owner(file(5)));

        assertThat(StillKnown.judge(record, "loop backing file 254:1 inode 99", Optional.of("uuid-a"),
                List.of(owner(file(5))), FROM, END).known()).isFalse();
    }

    @Test
    void withNoFilesystemHeldNowNothingCanBeComparedAndTheRecordStands() {
        assertThat(StillKnown.judge(record(DISK, owner(file(5))), DISK, Optional.empty(), List.of(), FROM, END)
                .known()).isTrue();
    }

    @Test
    void damageNoFilesystemHeldIsNewOnceAFilesystemHoldsIt() {
        assertThat(judge(record(DISK), new FreeSpaceOwner(FROM, END - FROM)).known()).isFalse();
    }

    @Test
    void aRepairedFileDamagedAgainIsNew() {
        DamageRecord repaired = record(DISK, new AffectedOwner(FS, file(5), List.of(), DamageState.REWRITTEN));

        assertThat(judge(repaired, file(5)).known()).isFalse();
    }
}
