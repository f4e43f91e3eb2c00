package io.daxguard.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adversarial review (issue 17): the tarball unpacked where an administrator may put it, a directory whose path holds
 * a space ("/opt/storage tools/"), still runs: bin/daxguard passes the native library directory it derives from its
 * home to the JVM as one option.
 */
class LauncherAdversarialTest {
    @TempDir
    Path work;

    @Test
    void bin_daxguard_runsFromAHomeWhosePathHoldsASpace() throws Exception {
        Path tarball;
        try (Stream<Path> built = Files.list(Path.of("target"))) {
            tarball = built.filter(file -> file.getFileName().toString().matches("daxguard-.*\\.tar\\.gz"))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no daxguard-*.tar.gz in target/"));
        }
        Path parent = Files.createDirectories(work.resolve("storage tools"));
        Process untar = new ProcessBuilder("tar", "-xzf", tarball.toAbsolutePath().toString(), "-C", parent.toString())
                .inheritIO().start();
        assertThat(untar.waitFor()).isZero();
        Path home;
        try (Stream<Path> unpacked = Files.list(parent)) {
            home = unpacked.filter(Files::isDirectory).findFirst().orElseThrow();
        }

        Process version = new ProcessBuilder(home.resolve("bin/daxguard").toString(), "version")
                .redirectErrorStream(true).start();
        String output = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(version.waitFor()).as(output).isZero();
        assertThat(output).contains("daxguard");
    }
}
