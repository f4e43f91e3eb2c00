package io.daxguard.agent.failure;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.ledger.FilesystemRef;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Fork;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one line a reported failure answers with names each damaged file by its full path. */
class ProcessingResultTest {
    private static final DeviceNumber DEVICE = new DeviceNumber(254, 0);
    private static final Instant AT = Instant.parse("2026-12-02T22:00:00Z");

    @Test
    void aFileOnTheRootFilesystemIsNamedWithOneLeadingSlash() {
        ProcessingResult result = new ProcessingResult(List.of(fileDamage("/", "/usr/share/doc/base-files/README")),
                List.of());

        assertThat(result.summary()).isEqualTo("1 damaged file(s): /usr/share/doc/base-files/README; 0 metadata"
                + " structure(s)");
    }

    @Test
    void aFileOnAnotherMountPointIsNamedBelowIt() {
        ProcessingResult result = new ProcessingResult(List.of(fileDamage("/mnt/d\\xe9", "/dir/file")), List.of());

        assertThat(result.summary()).isEqualTo("1 damaged file(s): /mnt/d\\xe9/dir/file; 0 metadata structure(s)");
    }

    @Test
    void aFailureOverManyFilesNamesTheFirstTwentyAndCountsTheRest() {
        List<DamageRecord> records = java.util.stream.IntStream.range(0, 25)
                .mapToObj(i -> fileDamage("/", String.format("/f%02d", i))).toList();

        assertThat(new ProcessingResult(records, List.of()).summary()).isEqualTo("25 damaged file(s): "
                + String.join(", ", java.util.stream.IntStream.range(0, 20).mapToObj(i -> String.format("/f%02d", i))
                .toList()) + " and 5 more; 0 metadata structure(s)");
    }

    private static DamageRecord fileDamage(String mountPoint, String path) {
        AffectedOwner owner = new AffectedOwner(new FilesystemRef("681ec079-4389-448e-8a0f-f6947f26b935", DEVICE,
                mountPoint, "ext4"), new FileOwner(131, 7, Fork.DATA, 0, 1 << 20, 4096, false, false), List.of(path),
                DamageState.OPEN);
        return new DamageRecord(1, DEVICE, "vda", 1 << 20, 4096, 5, "kmsg", AT, AT, 1, List.of(owner),
                DamageState.OPEN, 0, "");
    }
}
