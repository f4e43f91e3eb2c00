package io.daxguard.agent.cli;

import io.daxguard.agent.config.ConfigLoader;
import io.daxguard.agent.config.ConfigurationException;
import io.daxguard.agent.config.DaxguardConfig;
import io.daxguard.agent.config.LedgerConfig;
import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.ledger.FleetReader;
import io.daxguard.agent.ledger.LedgerDatabase;
import io.daxguard.agent.ledger.LedgerReader;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.FreeSpaceOwner;
import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.UnknownOwner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code daxguard fleet}: the shared ledger of a fleet ({@code ledger.url}), read from the database directly. */
@Command(name = "fleet", description = "Every host's damage in a ledger shared by a fleet (ledger.url).",
        subcommands = FleetCommand.Status.class)
final class FleetCommand {
    private FleetCommand() {
    }

    /**
     * {@code daxguard fleet status}: one line per host, filesystem and owner (a file's paths, or metadata, free space)
     * with its state, read from the database like {@code daxguard events} reads a local ledger: no agent needed,
     * nothing written.
     */
    @Command(name = "status", description = "List every host's damage from the shared ledger database: host, "
            + "filesystem, files and their states; no agent needed.")
    static final class Status implements Callable<Integer> {
        @Option(names = "--config", paramLabel = "FILE",
                description = "A configuration with the ledger section (url, user, password; ${ENV} substituted)")
        Path config;

        @Option(names = "--url", paramLabel = "URL", description = "jdbc:postgresql://host:port/database (default: "
                + "ledger.url of the configuration)")
        String url;

        @Option(names = "--user", paramLabel = "USER", description = "The database role (default: ledger.user)")
        String user;

        @Option(names = "--password-env", paramLabel = "NAME",
                description = "Take the password from environment variable NAME (default: ledger.password)")
        String passwordVariable;

        @Option(names = "--json", description = "One JSON object per host, record and owner, and line, for scripts")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            LedgerDatabase database;
            try {
                database = database();
            } catch (ConfigurationException invalid) {
                err.println("daxguard: " + invalid.getMessage());
                return ExitCode.BAD_CONFIG;
            } catch (IOException unreadable) {
                err.println("daxguard: cannot read " + config + ": " + unreadable.getMessage());
                return ExitCode.BAD_CONFIG;
            } catch (IllegalArgumentException usage) {
                err.println("daxguard: " + usage.getMessage());
                return ExitCode.USAGE;
            }
            try (FleetReader fleet = FleetReader.open(database)) {
                List<FleetReader.HostRecord> records = fleet.records();
                List<Map<String, Object>> rows = rows(records);
                if (json) {
                    rows.forEach(row -> out.println(Json.line(row)));
                } else if (rows.isEmpty()) {
                    out.println("no damage in " + fleet.describe());
                } else {
                    print(rows, out);
                    out.println(records.size() + " record(s) of " + records.stream()
                            .map(FleetReader.HostRecord::machineId).distinct().count() + " host(s)");
                }
                out.flush();
                return records.stream().anyMatch(hosted -> hosted.record().state() == DamageState.OPEN)
                        ? ExitCode.DAMAGE : ExitCode.OK;
            } catch (LedgerReader.UnreadableLedgerException unreadable) {
                err.println("daxguard: " + unreadable.getMessage());
                return ExitCode.FAILED;
            }
        }

        private LedgerDatabase database() throws ConfigurationException, IOException {
            LedgerConfig ledger = config == null ? DaxguardConfig.defaults().ledger() : ConfigLoader.load(config).ledger();
            String chosenUrl = url != null ? url : ledger.url();
            if (chosenUrl.isEmpty()) {
                throw new IllegalArgumentException("no shared ledger: give --url, or --config with ledger.url");
            }
            String password = ledger.password();
            if (passwordVariable != null) {
                password = System.getenv(passwordVariable);
                if (password == null) {
                    throw new IllegalArgumentException("--password-env: environment variable " + passwordVariable
                            + " is not set");
                }
            }
            return new LedgerDatabase.Postgres(chosenUrl, user != null ? user : ledger.user(), password);
        }
    }

    /** One row per host, record and owner (one for a record with none). */
    static List<Map<String, Object>> rows(List<FleetReader.HostRecord> records) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (FleetReader.HostRecord hosted : records) {
            var record = hosted.record();
            List<AffectedOwner> owners = record.owners().isEmpty() ? List.of() : record.owners();
            if (owners.isEmpty()) {
                rows.add(Json.object("host", hosted.hostName(), "machineId", hosted.machineId(), "record", record.id(),
                        "device", record.device().toString(), "offset", record.offset(), "length", record.length(),
                        "filesystem", null, "mountPoint", null, "owner", "no filesystem", "paths", List.of(),
                        "state", record.state().name(), "lastSeen", record.lastSeen().toString()));
            }
            for (AffectedOwner owner : owners) {
                rows.add(Json.object("host", hosted.hostName(), "machineId", hosted.machineId(), "record", record.id(),
                        "device", record.device().toString(), "offset", record.offset(), "length", record.length(),
                        "filesystem", owner.filesystem().uuid(), "mountPoint", owner.filesystem().mountPoint(),
                        "owner", describe(owner), "paths", owner.paths(), "state", owner.state().name(),
                        "lastSeen", record.lastSeen().toString()));
            }
        }
        return rows;
    }

    private static String describe(AffectedOwner affected) {
        if (affected.owner() instanceof FileOwner file) {
            return affected.paths().isEmpty() ? "inode " + file.inode() : String.join(", ", affected.paths());
        }
        if (affected.owner() instanceof MetadataOwner metadata) {
            return "metadata " + metadata.kind();
        }
        if (affected.owner() instanceof FreeSpaceOwner) {
            return "free space";
        }
        return "unknown (" + ((UnknownOwner) affected.owner()).reason() + ")";
    }

    private static void print(List<Map<String, Object>> rows, PrintWriter out) {
        String[] headings = {"HOST", "FILESYSTEM", "FILE", "STATE", "RECORD"};
        List<String[]> lines = new ArrayList<>();
        lines.add(headings);
        for (Map<String, Object> row : rows) {
            lines.add(new String[] {String.valueOf(row.get("host")),
                row.get("mountPoint") == null ? "-" : row.get("mountPoint") + " (" + row.get("filesystem") + ")",
                String.valueOf(row.get("owner")), String.valueOf(row.get("state")), String.valueOf(row.get("record"))});
        }
        int[] widths = new int[headings.length];
        for (String[] line : lines) {
            for (int i = 0; i < line.length; i++) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        for (String[] line : lines) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < line.length; i++) {
                text.append(i == line.length - 1 ? line[i] : String.format("%-" + widths[i] + "s  ", line[i]));
            }
            out.println(text.toString().stripTrailing());
        }
    }
}
