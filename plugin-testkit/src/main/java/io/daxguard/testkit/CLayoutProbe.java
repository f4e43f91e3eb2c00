package io.daxguard.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;

/**
 * Asks the C compiler what the kernel headers say: compiles a small program that prints {@code sizeof},
 * {@code offsetof} and ioctl numbers, runs it, and returns the values by name. Layout tests compare these with
 * the offsets the Java wrappers decode at, so a wrong constant fails a test instead of corrupting a buffer.
 *
 * <p>A missing compiler or header is a missing tool: under {@code CI=true} the test fails, elsewhere it is
 * skipped with the reason (see {@link Privileges}). CI needs the Debian packages {@code gcc}, {@code libc6-dev},
 * {@code linux-libc-dev} and, for XFS structures, {@code xfslibs-dev}.
 */
public final class CLayoutProbe {
    private static final Pattern MISSING_HEADER = Pattern.compile("fatal error: ([^:]+): No such file or directory");

    private final List<String> preamble = new ArrayList<>();
    private final Map<String, String> expressions = new LinkedHashMap<>();

    private CLayoutProbe() {
    }

    /** A probe including the given headers, for example {@code "<linux/fsmap.h>"}, in this order. */
    public static CLayoutProbe including(String... headers) {
        CLayoutProbe probe = new CLayoutProbe();
        probe.preamble.add("#define _GNU_SOURCE");
        probe.preamble.add("#include <stdio.h>");
        probe.preamble.add("#include <stddef.h>");
        for (String header : headers) {
            probe.preamble.add("#include " + header);
        }
        return probe;
    }

    /** Adds C source before {@code main} (a fallback definition, say). */
    public CLayoutProbe declaring(String source) {
        preamble.add(source);
        return this;
    }

    /** Adds a value to print: {@code name} is how {@link #run()} returns it, {@code expression} is C. */
    public CLayoutProbe value(String name, String expression) {
        expressions.put(name, expression);
        return this;
    }

    /** {@code sizeof(struct <struct>)} under the name {@code "sizeof <struct>"}. */
    public CLayoutProbe sizeOf(String struct) {
        return value("sizeof " + struct, "sizeof(struct " + struct + ")");
    }

    /** {@code offsetof(struct <struct>, <field>)} under the name {@code "<struct>.<field>"}. */
    public CLayoutProbe offsetOf(String struct, String... fields) {
        for (String field : fields) {
            value(struct + "." + field, "offsetof(struct " + struct + ", " + field + ")");
        }
        return this;
    }

    /** Compiles and runs the program; returns every value by name. */
    public Map<String, Long> run() throws IOException {
        if (!Command.exists("gcc")) {
            Privileges.require(List.of("gcc (Debian packages gcc and libc6-dev)"));
        }
        Path directory = Files.createTempDirectory("daxguard-layout-");
        try {
            Path source = directory.resolve("probe.c");
            Path binary = directory.resolve("probe");
            Files.writeString(source, source());
            Command.Result compiled = Command.tryRun("gcc", "-std=gnu11", "-o", binary.toString(), source.toString());
            if (compiled.exitCode() != 0) {
                Matcher missing = MISSING_HEADER.matcher(compiled.stderr());
                if (missing.find()) {
                    Privileges.require(List.of("the C header " + missing.group(1) + " (" + packageOf(missing.group(1))
                            + ")"));
                }
                Assertions.fail("the layout probe does not compile:\n" + compiled.stderr() + "\n" + source());
            }
            Map<String, Long> values = new LinkedHashMap<>();
            for (String line : Command.run(binary.toString()).split("\n")) {
                int space = line.lastIndexOf(' ');
                if (space > 0) {
                    values.put(line.substring(0, space), Long.parseUnsignedLong(line.substring(space + 1)));
                }
            }
            return values;
        } finally {
            try (var paths = Files.list(directory)) {
                for (Path path : paths.toList()) {
                    Files.deleteIfExists(path);
                }
            }
            Files.deleteIfExists(directory);
        }
    }

    /**
     * The values the Java side decodes with, given as alternating names (as {@link #run()} names them) and
     * numbers, in a map that compares with {@link #run()}'s, so a failing comparison names each wrong constant.
     */
    public static Map<String, Long> javaValues(Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values must alternate, got " + namesAndValues.length);
        }
        Map<String, Long> values = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            values.put((String) namesAndValues[i], ((Number) namesAndValues[i + 1]).longValue());
        }
        return values;
    }

    private String source() {
        StringBuilder c = new StringBuilder();
        preamble.forEach(line -> c.append(line).append('\n'));
        c.append("int main(void) {\n");
        expressions.forEach((name, expression) -> c.append("    printf(\"%s %llu\\n\", \"").append(name)
                .append("\", (unsigned long long) (").append(expression).append("));\n"));
        c.append("    return 0;\n}\n");
        return c.toString();
    }

    private static String packageOf(String header) {
        if (header.startsWith("xfs/")) {
            return "Debian package xfslibs-dev";
        }
        if (header.startsWith("linux/") || header.startsWith("asm/")) {
            return "Debian package linux-libc-dev";
        }
        return "Debian package libc6-dev";
    }
}
