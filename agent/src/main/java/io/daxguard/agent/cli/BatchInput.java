package io.daxguard.agent.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The lines of {@code daxguard report --from} and {@code daxguard resolve --from}: one item per line, fields separated
 * by blanks; blank lines and {@code #} comments (from a {@code #} that starts a field to the end of the line) are
 * skipped. Every line is read and checked before anything is sent, so a bad line names its number and text and
 * nothing reaches the agent.
 */
final class BatchInput {
    /** The most failures one report may carry a line to the agent: {@code mbeans.reportBytes}' upper bound, 2^40. */
    private static final long MOST_SECTORS = 1L << 40;

    private BatchInput() {
    }

    /** One failure: {@code device sector count [errno]}. */
    record ReportLine(int line, String device, long sector, long count, int errno) {
    }

    /** One range: {@code offset length}. */
    record RangeLine(int line, long offset, long length) {
    }

    /** A line that cannot be an item. */
    static final class BadLine extends Exception {
        BadLine(String source, int line, String problem, String text) {
            super(source + " line " + line + ": " + problem + " (was \"" + text + "\")");
        }

        BadLine(String message) {
            super(message);
        }
    }

    /** The fields of each item line of {@code from} ({@code -}: {@code stdin}), with its line number. */
    private record Fields(int line, String text, String[] fields) {
    }

    /**
     * Item lines one input may hold: 100 full batches at the default mbeans.batchItems. Items are kept until every
     * line was checked (nothing is sent before), so a bound keeps a huge input from exhausting the CLI's heap.
     */
    static final int MOST_ITEMS = 1_000_000;

    /** One item line turned into its value as it is read, so only the values are kept. */
    @FunctionalInterface
    private interface LineParser<T> {
        T parse(Fields item) throws BadLine;
    }

    private static <T> List<T> read(String from, InputStream stdin, LineParser<T> parser) throws BadLine {
        List<T> items = new ArrayList<>();
        try (BufferedReader reader = from.equals("-")
                ? new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8))
                : Files.newBufferedReader(Path.of(from), StandardCharsets.UTF_8)) {
            int number = 0;
            for (String text = reader.readLine(); text != null; text = reader.readLine()) {
                number++;
                String[] fields = withoutComment(text.strip().split("\\s+"));
                if (fields.length > 0) {
                    if (items.size() == MOST_ITEMS) {
                        throw new BadLine(name(from) + " line " + number + ": more than " + MOST_ITEMS + " items in"
                                + " one input; split it");
                    }
                    items.add(parser.parse(new Fields(number, text, fields)));
                }
            }
        } catch (IOException e) {
            throw new BadLine("cannot read " + name(from) + ": " + e.getMessage());
        }
        return items;
    }

    private static String[] withoutComment(String[] fields) {
        for (int i = 0; i < fields.length; i++) {
            if (fields[i].isEmpty() || fields[i].startsWith("#")) {
                return Arrays.copyOf(fields, i);
            }
        }
        return fields;
    }

    private static String name(String from) {
        return from.equals("-") ? "stdin" : from;
    }

    /** Every {@code device sector count [errno]} line of {@code from}; {@code defaultErrno} where a line gives none. */
    static List<ReportLine> reports(String from, InputStream stdin, int defaultErrno) throws BadLine {
        return read(from, stdin, item -> {
            String[] fields = item.fields();
            if (fields.length < 3 || fields.length > 4) {
                throw bad(from, item, "expected DEVICE SECTOR COUNT [ERRNO], found " + fields.length + " field(s)");
            }
            long sector = number(from, item, "SECTOR", fields[1], 0, Long.MAX_VALUE / 512);
            long count = number(from, item, "COUNT", fields[2], 1, MOST_SECTORS);
            int errno = fields.length == 4 ? (int) number(from, item, "ERRNO", fields[3], 1, 4095)
                    : defaultErrno;
            return new ReportLine(item.line(), fields[0], sector, count, errno);
        });
    }

    /** Every {@code offset length} line of {@code from}. */
    static List<RangeLine> ranges(String from, InputStream stdin) throws BadLine {
        return read(from, stdin, item -> {
            String[] fields = item.fields();
            if (fields.length != 2) {
                throw bad(from, item, "expected OFFSET LENGTH, found " + fields.length + " field(s)");
            }
            long offset = number(from, item, "OFFSET", fields[0], 0, Long.MAX_VALUE);
            long length = number(from, item, "LENGTH", fields[1], 1, Long.MAX_VALUE - offset);
            return new RangeLine(item.line(), offset, length);
        });
    }

    /** A range longer than the agent answers in one batch, refused before anything is sent. */
    static Optional<BadLine> tooLong(String from, List<RangeLine> ranges, long resolveBytes) {
        return ranges.stream().filter(range -> range.length() > resolveBytes).findFirst()
                .map(range -> new BadLine(name(from) + " line " + range.line() + ": LENGTH " + range.length()
                        + " is over the agent's mbeans.resolveBytes (" + resolveBytes + "): split it, or ask"
                        + " `daxguard resolve MOUNT OFFSET LENGTH` for it"));
    }

    private static long number(String from, Fields item, String field, String text, long least, long most)
            throws BadLine {
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw bad(from, item, field + " \"" + text + "\" is not a whole number");
        }
        if (value < least || value > most) {
            throw bad(from, item, field + " " + value + " is not in " + least + ".." + most);
        }
        return value;
    }

    private static BadLine bad(String from, Fields item, String problem) {
        return new BadLine(name(from), item.line(), problem, item.text());
    }
}
