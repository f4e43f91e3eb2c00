package io.daxguard.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The FUSE server process behind {@link FaultyDisk}: a small C program ({@code faulty-disk-server.c}, shipped
 * as a resource of the test-jar) built with gcc against libfuse3 on first use and cached under
 * {@code target/faulty-disk-server/}, keyed by a hash of its source.
 *
 * <p>Why a separate C process rather than a Java FUSE binding: the server must outlive nothing and hang
 * nothing. When the test JVM dies, the server reads end-of-file on its stdin, detaches its mount and closes
 * {@code /dev/fuse}; the kernel then aborts the connection, so a loop device still on the file returns
 * errors instead of waiting forever for a server that is gone. A JVM-hosted server (jnr-fuse needs libfuse2 and
 * a second JVM) would be larger, slower to start and harder to kill cleanly; libfuse3 is the maintained API.
 *
 * <p>Control is synchronous: each command is one line on the server's stdin and is answered by one line on
 * its stdout once the change is in force, so tests never sleep. Its stderr goes to a log file whose tail is
 * put in every error. Not thread-safe by itself; {@link FaultyDisk} serialises calls. The process owns two
 * threads (FUSE loop, control); this class owns no thread.
 */
final class FaultyDiskServer implements AutoCloseable {
    static final String SOURCE_RESOURCE = "faulty-disk-server.c";
    /** How long a server that lost its mount gets to exit on its own before it is killed. */
    private static final long EXIT_WAIT_SECONDS = 10;

    private final Process process;
    private final Path log;
    private final Writer commands;
    private final BufferedReader replies;

    private FaultyDiskServer(Process process, Path log) {
        this.process = process;
        this.log = log;
        this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.US_ASCII);
        this.replies = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
    }

    /**
     * Starts a server that serves {@code backingImage} as {@code mountDirectory/disk.img}; returns once the
     * FUSE mount exists. On failure the process is gone.
     */
    static FaultyDiskServer start(Path binary, Path backingImage, Path mountDirectory, Path log,
            boolean failWholeRequests) throws IOException {
        List<String> argv = new ArrayList<>(List.of(binary.toString()));
        if (failWholeRequests) {
            argv.add("--fail-whole-requests");
        }
        argv.add(backingImage.toString());
        argv.add(mountDirectory.toString());
        Process process = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        FaultyDiskServer server = new FaultyDiskServer(process, log);
        try {
            String first = server.replies.readLine();
            if (!"ready".equals(first)) {
                throw new IOException("FUSE server did not start (first line " + first + ")" + server.logTail());
            }
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** Sends one command and returns the text after {@code ok}; throws with the server's reason otherwise. */
    String command(String line) throws IOException {
        if (!process.isAlive()) {
            throw new IOException("FUSE server exited with " + process.exitValue() + logTail());
        }
        commands.write(line + "\n");
        commands.flush();
        String reply = replies.readLine();
        if (reply == null) {
            throw new IOException("FUSE server closed its output after \"" + line + "\"" + logTail());
        }
        if (reply.equals("ok")) {
            return "";
        }
        if (reply.startsWith("ok ")) {
            return reply.substring(3);
        }
        throw new IOException("FUSE server refused \"" + line + "\": " + reply);
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Ends the server, normally after its mount was unmounted (then it has left its loop already). Closing
     * its stdin makes it leave its loop, detach its mount and exit; one that does not exit in time is killed
     * (the kernel then aborts its FUSE connection). Throws if it had to be killed or exited with an error.
     */
    @Override
    public void close() throws IOException {
        try {
            commands.close();
        } catch (IOException alreadyGone) {
            // A dead process's pipe: nothing to tell it.
        }
        try {
            if (!process.waitFor(EXIT_WAIT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new IOException("FUSE server did not exit within " + EXIT_WAIT_SECONDS + " s; killed it"
                        + logTail());
            }
            if (process.exitValue() != 0) {
                // After an unmount the server exits 0; anything else (a crash, a signal) is a fixture defect.
                throw new IOException("FUSE server exited with " + process.exitValue() + logTail());
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping the FUSE server", e);
        } finally {
            replies.close();
        }
    }

    private String logTail() {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "" : "; its stderr: " + text.substring(Math.max(0, text.length() - 2000));
        } catch (IOException e) {
            return "; its log " + log + " is unreadable: " + e.getMessage();
        }
    }

    /**
     * The compiled server, built from the resource if no binary for this exact source is cached yet.
     * Concurrent builds (two forks, two modules) are safe: each compiles to its own name and renames.
     */
    static Path binary(Path cacheDirectory) throws IOException {
        byte[] source;
        try (InputStream in = FaultyDiskServer.class.getResourceAsStream(SOURCE_RESOURCE)) {
            if (in == null) {
                throw new IOException("resource " + SOURCE_RESOURCE + " is missing from the test kit");
            }
            source = in.readAllBytes();
        }
        Path binary = cacheDirectory.resolve("faulty-disk-server-" + sha256(source).substring(0, 16));
        if (Files.isExecutable(binary)) {
            return binary;
        }
        Files.createDirectories(cacheDirectory);
        Path sourceFile = Files.createTempFile(cacheDirectory, "faulty-disk-server-", ".c");
        Path built = cacheDirectory.resolve(sourceFile.getFileName() + ".bin");
        try {
            Files.write(sourceFile, source);
            String flags = Command.run("pkg-config", "--cflags", "--libs", "fuse3").strip();
            List<String> gcc = new ArrayList<>(List.of("gcc", "-O2", "-Wall", "-o", built.toString(),
                    sourceFile.toString()));
            gcc.addAll(List.of(flags.split("\\s+")));
            Command.run(gcc.toArray(String[]::new));
            Files.move(built, binary, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return binary;
        } finally {
            Files.deleteIfExists(sourceFile);
            Files.deleteIfExists(built);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
