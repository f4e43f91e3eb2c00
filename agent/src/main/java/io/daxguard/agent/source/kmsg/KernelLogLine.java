package io.daxguard.agent.source.kmsg;

import java.util.Objects;

/** What daxguard recognises in one kernel log record's text. */
public sealed interface KernelLogLine {

    /**
     * A block-layer request failed: {@code I/O error, dev sda, sector 192 ...} in every format since 4.x. The
     * sector is the start of the failed request on the whole disk, not the bad sector.
     *
     * @param kind   the error word(s): {@code I/O}, {@code critical medium}, {@code timeout}, ...
     * @param device the whole disk's kernel name
     * @param sector the request's first 512-byte sector
     */
    record RequestError(String kind, String device, long sector) implements KernelLogLine {
        public RequestError {
            Objects.requireNonNull(kind, "kind is null");
            Objects.requireNonNull(device, "device is null");
        }
    }

    /**
     * A buffer-head read failed: {@code Buffer I/O error on dev sda1, logical block 12, async page read}. The
     * block is in units of the buffer size of the device (partition-relative).
     */
    record BufferError(String device, long logicalBlock) implements KernelLogLine {
        public BufferError {
            Objects.requireNonNull(device, "device is null");
        }
    }

    /** {@code Memory failure: 0x<pfn>: ...}: a page of physical memory (pmem too) is poisoned. */
    record MemoryFailure(long pfn, String detail) implements KernelLogLine {
        public MemoryFailure {
            Objects.requireNonNull(detail, "detail is null");
        }
    }

    /** {@code <function>: N callbacks suppressed}: the kernel's rate limit dropped N messages. */
    record Suppressed(String function, long count) implements KernelLogLine {
        public Suppressed {
            Objects.requireNonNull(function, "function is null");
        }
    }

    /** A line daxguard wrote itself to mark the end of its own re-reads (see {@code KernelLogSource}). */
    record ProbeMarker(long probe) implements KernelLogLine {
    }
}
