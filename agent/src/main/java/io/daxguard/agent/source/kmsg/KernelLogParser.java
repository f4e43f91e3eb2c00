package io.daxguard.agent.source.kmsg;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses {@code /dev/kmsg} records ({@code prio,seq,usec,flags[,...];text} then optional
 * {@code " KEY=value"} dictionary lines) and recognises the lines daxguard acts on.
 *
 * <p>Block-layer error formats, all recognised:
 * <pre>
 *   5.16+        I/O error, dev loop4, sector 192 op 0x0:(READ) flags 0x80700 phys_seg 4 prio class 2
 *   5.3 - 5.15   blk_update_request: I/O error, dev sda, sector 2048 op 0x0:(READ) flags 0x0 phys_seg 1 prio class 0
 *   4.13 - 5.2   print_req_error: critical medium error, dev sdb, sector 1234
 *   before 4.13  end_request: I/O error, dev sdc, sector 99
 *                Buffer I/O error on dev sda1, logical block 12, async page read
 * </pre>
 * The first words are the error kind ({@code I/O}, {@code critical medium}, {@code critical target},
 * {@code timeout}, {@code protection}, ...). Continuation records (flag {@code c} then {@code +}) are joined
 * by {@link KernelLogSource} before they reach {@link #recognise}.
 */
public final class KernelLogParser {
    static final String PROBE_MARKER = "daxguard: probe ";

    private static final Pattern REQUEST_ERROR = Pattern.compile(
            "(?:(?:blk_update_request|print_req_error|end_request): )?([A-Za-z/ ]+?) error, dev ([^, ]+), sector (\\d+)");
    private static final Pattern BUFFER_ERROR = Pattern.compile(
            "Buffer I/O error on (?:dev|device) ([^, ]+), logical block (\\d+)");
    private static final Pattern MEMORY_FAILURE = Pattern.compile(
            "Memory failure: (0x[0-9a-fA-F]+|[0-9]+): (.*)");
    private static final Pattern SUPPRESSED = Pattern.compile("([\\w.]+): (\\d+) callbacks suppressed");
    private static final Pattern MARKER = Pattern.compile(Pattern.quote(PROBE_MARKER) + "(\\d+) ");

    private KernelLogParser() {
    }

    /** One record read from {@code /dev/kmsg}. */
    public record Record(int priority, long sequence, long microseconds, char flag, String text) {
        /** Whether this record continues the one before ({@code +}). */
        public boolean isContinuation() {
            return flag == '+';
        }

        /** Whether a continuation may follow ({@code c}). */
        public boolean expectsContinuation() {
            return flag == 'c';
        }
    }

    /**
     * Splits a raw record. Dictionary lines (after the first newline) are dropped; {@code \xNN} escapes of
     * non-printable bytes in the text are decoded.
     *
     * @throws IllegalArgumentException when the header is not {@code prio,seq,usec,flags;}
     */
    public static Record parseRecord(String raw) {
        int semicolon = raw.indexOf(';');
        if (semicolon < 0) {
            throw new IllegalArgumentException("kmsg record without ';': \"" + abbreviate(raw) + "\"");
        }
        String[] header = raw.substring(0, semicolon).split(",");
        if (header.length < 4 || header[3].isEmpty()) {
            throw new IllegalArgumentException("kmsg record header is not prio,seq,usec,flags: \"" + abbreviate(raw) + "\"");
        }
        try {
            int newline = raw.indexOf('\n', semicolon);
            String text = raw.substring(semicolon + 1, newline < 0 ? raw.length() : newline);
            return new Record(Integer.parseInt(header[0]), Long.parseLong(header[1]), Long.parseLong(header[2]),
                    header[3].charAt(0), unescape(text));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("kmsg record header has a non-number: \"" + abbreviate(raw) + "\"", e);
        }
    }

    /** What the text says, if daxguard acts on it. */
    public static Optional<KernelLogLine> recognise(String text) {
        Matcher marker = MARKER.matcher(text);
        if (marker.lookingAt()) {
            return Optional.of(new KernelLogLine.ProbeMarker(Long.parseLong(marker.group(1))));
        }
        Matcher buffer = BUFFER_ERROR.matcher(text);
        if (buffer.find()) {
            return Optional.of(new KernelLogLine.BufferError(buffer.group(1), Long.parseLong(buffer.group(2))));
        }
        Matcher request = REQUEST_ERROR.matcher(text);
        if (request.find() && !text.startsWith("Buffer ")) {
            return Optional.of(new KernelLogLine.RequestError(request.group(1).strip(), request.group(2),
                    Long.parseLong(request.group(3))));
        }
        Matcher memory = MEMORY_FAILURE.matcher(text);
        if (memory.find()) {
            String pfn = memory.group(1);
            long value = pfn.startsWith("0x") ? Long.parseUnsignedLong(pfn.substring(2), 16) : Long.parseLong(pfn);
            return Optional.of(new KernelLogLine.MemoryFailure(value, memory.group(2)));
        }
        Matcher suppressed = SUPPRESSED.matcher(text);
        if (suppressed.find()) {
            return Optional.of(new KernelLogLine.Suppressed(suppressed.group(1), Long.parseLong(suppressed.group(2))));
        }
        return Optional.empty();
    }

    /** The text of a marker line for probe {@code probe}. */
    static String markerText(long probe, String detail) {
        return PROBE_MARKER + probe + " " + detail;
    }

    private static String unescape(String text) {
        if (text.indexOf("\\x") < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 3 < text.length() && text.charAt(i + 1) == 'x' && isHex(text, i + 2)
                    && isHex(text, i + 3)) {
                out.append((char) Integer.parseInt(text.substring(i + 2, i + 4), 16));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isHex(String text, int at) {
        return at < text.length() && Character.digit(text.charAt(at), 16) >= 0;
    }

    private static String abbreviate(String raw) {
        return raw.length() <= 120 ? raw : raw.substring(0, 120) + "...";
    }
}
