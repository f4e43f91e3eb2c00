package io.daxguard.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Runs a system command for a fixture and fails loudly, with its output, when it fails. */
public final class Command {
    private Command() {
    }

    /** Runs {@code argv}; returns its standard output; throws with stderr when the exit code is not 0. */
    public static String run(String... argv) throws IOException {
        Result result = tryRun(argv);
        if (result.exitCode() != 0) {
            throw new IOException(String.join(" ", argv) + " exited with " + result.exitCode() + ": "
                    + result.stderr().strip());
        }
        return result.stdout();
    }

    /** Runs {@code argv} and returns what happened, whatever the exit code. */
    public static Result tryRun(String... argv) throws IOException {
        Process process = new ProcessBuilder(List.of(argv)).redirectInput(ProcessBuilder.Redirect.from(
                new java.io.File("/dev/null"))).start();
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        String stdout = read(process.getInputStream());
        try {
            int exit = process.waitFor();
            return new Result(exit, stdout, stderr.join());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + String.join(" ", argv), e);
        }
    }

    /** Whether an executable is on the PATH (or an absolute path that exists). */
    public static boolean exists(String executable) {
        if (executable.startsWith("/")) {
            return new java.io.File(executable).canExecute();
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (new java.io.File(dir, executable).canExecute()) {
                return true;
            }
        }
        return new java.io.File("/usr/sbin", executable).canExecute() || new java.io.File("/sbin", executable).canExecute();
    }

    private static String read(InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public record Result(int exitCode, String stdout, String stderr) {
    }
}
