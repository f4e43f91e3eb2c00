package io.daxguard.agent.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Runs the system tools the demo needs; a failure names the command and what it printed. */
final class Shell {
    private Shell() {
    }

    static String run(String... argv) throws IOException {
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            int exit = process.waitFor();
            if (exit != 0) {
                throw new IOException(String.join(" ", argv) + " failed (exit " + exit + "): " + output.strip());
            }
        } catch (InterruptedException interrupted) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", argv) + " interrupted");
        }
        return output;
    }

    /** The tools in {@code names} that are not on the PATH. */
    static List<String> missing(List<String> names) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        return names.stream().filter(name -> java.util.Arrays.stream(path.split(":"))
                .noneMatch(directory -> java.nio.file.Files.isExecutable(java.nio.file.Path.of(directory, name))))
                .toList();
    }
}
