package io.daxguard.agent.ledger;

import io.daxguard.testkit.Command;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A PostgreSQL cluster of its own for a test class: {@code initdb} in a temporary directory, {@code pg_ctl start}
 * on a free loopback port with its unix socket in that directory, password authentication (SCRAM) for a role
 * {@code daxguard}; stopped and deleted after the class, even when a test failed. No system service is touched.
 * As root, the cluster runs as the {@code postgres} system user (the server refuses root).
 *
 * <p>Use as {@code @RegisterExtension static final PostgresCluster POSTGRES = new PostgresCluster();}; each test
 * takes a fresh database from {@link #newDatabase()}.
 */
public final class PostgresCluster implements BeforeAllCallback, AfterAllCallback {
    public static final String USER = "daxguard";
    private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");

    private final String password = "pw-" + UUID.randomUUID();
    private final List<String> databases = new ArrayList<>();
    private Path directory;
    private int port;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (!Files.isExecutable(BIN.resolve("initdb"))) {
            throw new IllegalStateException("PostgreSQL 15 is not installed (" + BIN + "): run bin/install-prerequisites");
        }
        directory = Files.createTempDirectory("daxguard-pg-");
        try {
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
            Path passwordFile = directory.resolve("password");
            Files.writeString(passwordFile, password + "\n");
            Files.createDirectory(directory.resolve("socket"));
            if (runningAsRoot()) {
                Command.run("chown", "-R", "postgres:postgres", directory.toString());
            }
            asOwner(BIN.resolve("initdb").toString(), "-D", data().toString(), "-U", USER, "--auth=scram-sha-256",
                    "--pwfile=" + passwordFile, "-E", "UTF8", "--no-sync", "--no-instructions");
            port = freePort();
            start();
        } catch (Exception | Error e) {
            afterAll(context);
            throw e;
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (directory == null) {
            return;
        }
        try {
            if (Files.exists(data().resolve("postmaster.pid"))) {
                asOwner(BIN.resolve("pg_ctl").toString(), "-D", data().toString(), "stop", "-m", "immediate", "-w");
            }
        } finally {
            try (Stream<Path> paths = Files.walk(directory)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
            directory = null;
        }
    }

    /** A new, empty database, with its URL. */
    public LedgerDatabase.Postgres newDatabase() {
        String name = "ledger_" + (databases.size() + 1);
        try (Connection connection = database("postgres").connect(); Statement sql = connection.createStatement()) {
            sql.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
        databases.add(name);
        return database(name);
    }

    public LedgerDatabase.Postgres database(String name) {
        return new LedgerDatabase.Postgres(url(name), USER, password);
    }

    public String url(String name) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + name;
    }

    public String password() {
        return password;
    }

    /** Starts the server (again) on the same port; returns once it accepts connections. */
    public void start() throws IOException {
        asOwner(BIN.resolve("pg_ctl").toString(), "-D", data().toString(), "-l", directory.resolve("server.log").toString(),
                "-w", "-t", "60", "-o", "-p " + port + " -k " + directory.resolve("socket")
                        + " -c listen_addresses=127.0.0.1 -c fsync=off", "start");
    }

    /** Stops the server: sessions are ended, committed work kept (fast shutdown). */
    public void stop() throws IOException {
        asOwner(BIN.resolve("pg_ctl").toString(), "-D", data().toString(), "stop", "-m", "fast", "-w");
    }

    /** Starts the server if a test stopped it and failed before starting it again. */
    public void ensureRunning() throws IOException {
        if (!Files.exists(data().resolve("postmaster.pid"))) {
            start();
        }
    }

    /**
     * Stops every process of the server (SIGSTOP), as a hung server or one cut off: connections stay open and nothing
     * answers on them. {@link #thaw} lets it go on.
     */
    public void freeze() throws IOException {
        signalServer("STOP");
    }

    /** Lets a {@link #freeze frozen} server go on (SIGCONT); nothing when it was not frozen. */
    public void thaw() throws IOException {
        if (Files.exists(data().resolve("postmaster.pid"))) {
            signalServer("CONT");
        }
    }

    private void signalServer(String signal) throws IOException {
        String postmaster = Files.readAllLines(data().resolve("postmaster.pid")).get(0).strip();
        List<String> command = new ArrayList<>(List.of("kill", "-" + signal, postmaster));
        command.addAll(Command.run("ps", "-o", "pid=", "--ppid", postmaster).lines().map(String::strip)
                .filter(pid -> !pid.isEmpty()).toList());
        Command.run(command.toArray(String[]::new));
    }

    private Path data() {
        return directory.resolve("data");
    }

    private static void asOwner(String... argv) throws IOException {
        List<String> command = new ArrayList<>();
        if (runningAsRoot()) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.addAll(List.of(argv));
        Command.run(command.toArray(String[]::new));
    }

    private static boolean runningAsRoot() {
        try {
            return Command.run("id", "-u").strip().equals("0");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
