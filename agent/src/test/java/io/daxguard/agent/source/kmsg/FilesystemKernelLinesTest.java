package io.daxguard.agent.source.kmsg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.daxguard.agent.failure.DeviceRef;
import io.daxguard.agent.failure.FailureTuple;
import io.daxguard.agent.source.IngestQueue;
import io.daxguard.agent.source.probe.Handoff;
import io.daxguard.agent.source.probe.SuspectProbe;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.MemberFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel log source offers each kernel message to the held filesystems (Holder.failuresIn) and hands on what
 * they place on a member device as source kmsg-TYPE, beside its own parsing of the block layer's lines.
 */
class FilesystemKernelLinesTest {
    private static final DeviceNumber MEMBER = new DeviceNumber(259, 5);
    private static final String CSUM_LINE = "BTRFS warning (device vdb): csum failed root 5 ino 257 off 0 csum 0x1"
            + " expected csum 0x2 mirror 1";
    /** What btrfs's scrub logs of an error it fixed: what daxguard's repair (a scrub of the range) makes it write. */
    private static final String SCRUB_FIXED_LINE = "BTRFS error (device vdb): scrub: fixed up error at logical 298844160"
            + " on dev /dev/vdb physical 1048576";

    @TempDir
    Path sysfs;
    private final List<FailureTuple> delivered = Collections.synchronizedList(new ArrayList<>());
    private final List<String> offered = Collections.synchronizedList(new ArrayList<>());
    private IngestQueue queue;
    private KernelLogSource source;

    @BeforeEach
    void memberDevice() throws Exception {
        Path device = Files.createDirectories(sysfs.resolve("class/block/vdb"));
        Files.writeString(device.resolve("dev"), MEMBER + "\n");
        Files.createSymbolicLink(Files.createDirectories(sysfs.resolve("dev/block")).resolve(MEMBER.toString()),
                device);
        queue = new IngestQueue(100, 100, delivered::add);
        queue.start();
        FilesystemMessages btrfs = message -> {
            offered.add(message);
            if (message.contains("scrub: fixed up")) {
                return List.of(new FilesystemMessages.Reported("btrfs", new MemberFailure(MEMBER,
                        new FailureRange(1 << 20, 65536, 5, java.util.Set.of()), "scrub: fixed up error at logical "
                        + "298844160 on dev /dev/vdb physical 1048576", true)));
            }
            return message.contains("csum failed") ? List.of(new FilesystemMessages.Reported("btrfs",
                    new MemberFailure(MEMBER, new FailureRange(1 << 20, 4096, 5, java.util.Set.of()),
                            "csum failed root 5 ino 257 off 0 mirror 1"))) : List.of();
        };
        source = new KernelLogSource(sysfs.resolve("kmsg-not-opened"), false, sysfs, new SuspectProbe(sysfs, sysfs),
                new Handoff(queue, queue::touchesKnown, () -> true), () -> Long.MAX_VALUE, KmsgCursor.none(),
                Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), btrfs);
    }

    @AfterEach
    void close() {
        queue.close();
    }

    @Test
    void aFailureTheFilesystemLoggedIsHandedOnOnItsMemberAsTheFilesystemsSource() throws Exception {
        source.handle("4,20,100,-;" + CSUM_LINE);
        queue.awaitIdle(30, TimeUnit.SECONDS);

        assertThat(delivered).extracting(FailureTuple::device, FailureTuple::offset, FailureTuple::length,
                FailureTuple::source).containsExactly(tuple(new DeviceRef(MEMBER, "vdb"), 1L << 20, 4096L,
                "kmsg-btrfs"));
        assertThat(source.counters()).containsEntry("filesystemFailures", 1L);
    }

    @Test
    void whatTheFilesystemFixedDuringDaxguardsRepairOfThatMemberIsPassedOverAndLinesAfterItAreNot()
            throws Exception {
        source.handle("12,30,100,-;" + RepairMarkers.text(true, MEMBER));
        source.handle("4,31,101,-;" + SCRUB_FIXED_LINE);
        source.handle("12,32,102,-;" + RepairMarkers.text(false, MEMBER));
        source.handle("4,33,103,-;" + SCRUB_FIXED_LINE);
        queue.awaitIdle(30, TimeUnit.SECONDS);

        assertThat(source.counters()).containsEntry("repairLines", 1L).containsEntry("filesystemFailures", 1L);
        assertThat(delivered).hasSize(1);
    }

    /**
     * Found by the review of issue 16: only what the filesystem's own scrub logs is passed over during a repair; an
     * application's read that fails on the member meanwhile (a csum line, which the scrub never writes) is a failure.
     */
    @Test
    void anApplicationsChecksumFailureOnTheMemberDuringARepairIsStillAFailure() throws Exception {
        source.handle("12,30,100,-;" + RepairMarkers.text(true, MEMBER));
        source.handle("4,31,101,-;" + CSUM_LINE);
        source.handle("12,32,102,-;" + RepairMarkers.text(false, MEMBER));
        queue.awaitIdle(30, TimeUnit.SECONDS);

        assertThat(delivered).as("a csum failure of an application's read, logged while a repair of the member ran")
                .hasSize(1);
    }

    @Test
    void aLineAProcessWroteIsNeverOfferedToTheFilesystems() throws Exception {
        source.handle("12,21,101,-;" + CSUM_LINE);
        queue.awaitIdle(30, TimeUnit.SECONDS);

        assertThat(offered).isEmpty();
        assertThat(delivered).isEmpty();
    }

    @Test
    void everyKernelMessageIsOfferedEvenOnesTheBlockLayerParserDoesNotKnow() throws Exception {
        source.handle("6,22,102,-;BTRFS info (device vdb): scrub: started on devid 1");

        assertThat(offered).containsExactly("BTRFS info (device vdb): scrub: started on devid 1");
    }
}
