package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.failure.DeviceResolver;
import io.daxguard.agent.failure.FailureTuple;
import io.daxguard.agent.failure.ProcessingResult;
import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.owners.ListedOwners;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.UnknownOwner;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A whole device failing at once (a dead pmem namespace: its 8 GiB reported in one range by a kernel source, which no
 * request limit bounds) is routed in bounded memory: the record lists at most {@link ListedOwners#LIMIT} owners, and
 * one unknown owner stands for the rest with their count per kind, on a real 8 GiB ext4 holding more files than that.
 */
@Tag("mount")
class WholeDeviceFailureTest {
    private static final long DEVICE_BYTES = 8L << 30;
    private static final int FILES = ListedOwners.LIMIT + 2_000;

    @Test
    void anEightGibFailureListsAtMostTheLimitAndCountsTheRestInOneOwner() throws Exception {
        try (ScratchFilesystem ext4 = ScratchFilesystem.ext4().sizeMiB(DEVICE_BYTES >> 20).mkfsOptions("-b", "4096")
                .create()) {
            for (int i = 0; i < FILES; i++) {
                Path directory = ext4.mountPoint().resolve("d" + i % 50);
                Files.createDirectories(directory);
                Files.write(directory.resolve("f" + i), new byte[] {(byte) i});
            }
            Command.run("sync");
            try (AgentFixture fixture = new AgentFixture()) {
                assertThat(fixture.remote().invoke(ObjectNames.filesystem(ext4.mountPoint().toString()),
                        "awaitReverseMap", new Object[] {60}, new String[] {"int"})).as("index built").isEqualTo(true);

                ProcessingResult result = fixture.agent().router().route(new FailureTuple(
                        DeviceResolver.system().resolve(ext4.device().getFileName().toString()), 0, DEVICE_BYTES, 5,
                        Set.of(), "test", Instant.now())).get(5, TimeUnit.MINUTES);

                assertThat(result.recorded()).hasSize(1);
                List<AffectedOwner> owners = result.recorded().get(0).owners();
                assertThat(owners).as("owners listed").hasSize(ListedOwners.LIMIT + 1);
                AffectedOwner last = owners.get(owners.size() - 1);
                assertThat(ListedOwners.isUnlisted(last.owner())).as("the last stands for the rest: " + last).isTrue();
                long listedFiles = owners.stream().filter(owner -> owner.owner() instanceof FileOwner).count();
                assertThat(listedFiles + unlistedFiles((UnknownOwner) last.owner()))
                        .as("every file's extent is listed or counted").isGreaterThanOrEqualTo(FILES);
                assertThat(last.owner().physicalEnd()).isEqualTo(DEVICE_BYTES);
                assertThat(recordedOwners(fixture)).as("owners in the ledger").isEqualTo(ListedOwners.LIMIT + 1);
            }
        }
    }

    private static long unlistedFiles(UnknownOwner summary) {
        Matcher files = Pattern.compile("file ([0-9,]+),").matcher(summary.reason());
        assertThat(files.find()).as("files counted in: " + summary.reason()).isTrue();
        return Long.parseLong(files.group(1).replace(",", ""));
    }

    private static long recordedOwners(AgentFixture fixture) {
        return fixture.agent().ledger().records().stream().map(DamageRecord::owners).mapToLong(List::size).sum();
    }
}
