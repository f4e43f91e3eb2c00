package io.daxguard.agent.ledger;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Runs a storm driver in a child JVM on this test's class path and kills it with {@code kill -9} once it has
 * acknowledged a number of tuples. The driver prints {@code ack <offset>} for every tuple that is durable.
 */
public final class StormChild {
    private StormChild() {
    }

    /**
     * @return every offset the child acknowledged, including those still in the pipe when it was killed
     */
    public static Set<Long> runAndKill(Class<?> driver, int killAfter, String... arguments)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), driver.getName()));
        command.addAll(List.of(arguments));
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Set<Long> acknowledged = new HashSet<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith("ack ")) {
                    acknowledged.add(Long.parseLong(line.substring(4)));
                    if (acknowledged.size() == killAfter) {
                        // kill -9: no shutdown hook, no flush, no close. (Process.destroyForcibly would also
                        // close our end of its output, losing acknowledgements already in the pipe.)
                        new ProcessBuilder("kill", "-9", String.valueOf(child.pid())).start().waitFor();
                    }
                }
            }
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
        return acknowledged;
    }
}
