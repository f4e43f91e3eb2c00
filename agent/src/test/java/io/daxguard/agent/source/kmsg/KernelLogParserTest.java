package io.daxguard.agent.source.kmsg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Kernel log lines as the kernels since 4.x print them. */
class KernelLogParserTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "I/O error, dev loop4, sector 192 op 0x0:(READ) flags 0x80700 phys_seg 4 prio class 2|I/O|loop4|192",
            "blk_update_request: I/O error, dev sda, sector 2048 op 0x0:(READ) flags 0x0 phys_seg 1 prio class 0|I/O|sda|2048",
            "print_req_error: critical medium error, dev sdb, sector 1234|critical medium|sdb|1234",
            "end_request: I/O error, dev sdc, sector 99|I/O|sdc|99",
            "blk_update_request: critical target error, dev sdd, sector 8 op 0x1:(WRITE) flags 0x800|critical target|sdd|8",
            "timeout error, dev nvme0n1, sector 77 op 0x0:(READ) flags 0x0 phys_seg 1 prio class 0|timeout|nvme0n1|77",
            "protection error, dev sde, sector 4096 op 0x0:(READ)|protection|sde|4096"})
    void recognisesEveryRequestErrorFormat(String text, String kind, String device, long sector) {
        assertThat(KernelLogParser.recognise(text))
                .contains(new KernelLogLine.RequestError(kind, device, sector));
    }

    @Test
    void recognisesABufferIoError() {
        assertThat(KernelLogParser.recognise("Buffer I/O error on dev sda1, logical block 12, async page read"))
                .contains(new KernelLogLine.BufferError("sda1", 12));
    }

    @Test
    void recognisesAMemoryFailureByItsPfn() {
        assertThat(KernelLogParser.recognise("Memory failure: 0x2f4a1: recovery action for dax page: Recovered"))
                .contains(new KernelLogLine.MemoryFailure(0x2f4a1, "recovery action for dax page: Recovered"));
    }

    @Test
    void recognisesARateLimitedFlood() {
        assertThat(KernelLogParser.recognise("blk_print_req_error: 23 callbacks suppressed"))
                .contains(new KernelLogLine.Suppressed("blk_print_req_error", 23));
    }

    @Test
    void recognisesItsOwnProbeMarker() {
        assertThat(KernelLogParser.recognise(KernelLogParser.markerText(17, "of loop3 bytes 0+4096: 1 bad run(s)")))
                .contains(new KernelLogLine.ProbeMarker(17));
    }

    @Test
    void ignoresOtherLines() {
        assertThat(KernelLogParser.recognise("XFS (loop3): Mounting V5 Filesystem")).isEmpty();
    }

    @Test
    void splitsARecordIntoHeaderAndTextWithoutTheDictionary() {
        KernelLogParser.Record record = KernelLogParser.parseRecord(
                "3,1234,567890,-;I/O error, dev loop4, sector 192\n SUBSYSTEM=block\n DEVICE=b7:4\n");

        assertThat(record).isEqualTo(new KernelLogParser.Record(3, 1234, 567890, '-', "I/O error, dev loop4, sector 192"));
    }

    @Test
    void toleratesFieldsAfterTheFlags() {
        assertThat(KernelLogParser.parseRecord("6,5,99,-,caller=T12;hello").text()).isEqualTo("hello");
    }

    @Test
    void decodesEscapedBytes() {
        assertThat(KernelLogParser.parseRecord("6,5,99,-;a\\x09b").text()).isEqualTo("a\tb");
    }

    @Test
    void refusesARecordWithoutAHeader() {
        assertThatThrownBy(() -> KernelLogParser.parseRecord("no header here"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("without ';'");
    }
}
