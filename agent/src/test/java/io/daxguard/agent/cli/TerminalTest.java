package io.daxguard.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Redirected streams are no terminal, on the JDK the tests run on and on a JDK 22 or newer (where it differs). */
class TerminalTest {
    static Stream<Path> javas() throws Exception {
        Path running = Path.of(System.getProperty("java.home"), "bin", "java");
        try (Stream<Path> installed = Files.list(Path.of("/usr/lib/jvm"))) {
            List<Path> newer = installed.filter(home -> home.getFileName().toString().matches(".*-(2[2-9]|[3-9][0-9])-.*"))
                    .map(home -> home.resolve("bin/java")).filter(Files::isExecutable).toList();
            return Stream.concat(Stream.of(running), newer.stream());
        }
    }

    @ParameterizedTest
    @MethodSource("javas")
    void aProcessWhoseStreamsAreRedirectedHasNoTerminal(Path java) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(java), java + " is not installed");
        Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                Terminal.class.getName()).redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        child.waitFor();

        assertThat(out).isEqualTo("no terminal");
    }
}
