package io.daxguard.agent.cli;

import io.daxguard.agent.config.ConfigLoader;
import io.daxguard.agent.config.ConfigurationException;
import io.daxguard.agent.config.DaxguardConfig;
import io.daxguard.agent.config.DaxguardHome;
import io.daxguard.agent.ledger.LedgerReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where the ledger is, for the commands that read it without an agent ({@code events}, {@code status --offline}):
 * {@code --state-dir}, else the {@code stateDirectory} of {@code --config} (relative to the daxguard home, as the
 * agent resolves it), else the default's ({@code /var/lib/daxguard}). As for {@code run}, {@code --state-dir} wins
 * over the configuration.
 */
final class LedgerLocation {
    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "The agent's state directory, where its ledger is (default: stateDirectory of the configuration)")
    Path stateDirectory;

    @Option(names = "--config", paramLabel = "FILE",
            description = "The agent's YAML configuration, to find its state directory (default: embedded defaults)")
    Path config;

    /** Work on an open ledger; returns the exit code. */
    @FunctionalInterface
    interface LedgerWork {
        int run(LedgerReader ledger) throws LedgerReader.UnreadableLedgerException;
    }

    /** Whether either option was given. */
    boolean given() {
        return stateDirectory != null || config != null;
    }

    Path stateDirectory() throws ConfigurationException, IOException {
        if (stateDirectory != null) {
            return stateDirectory.toAbsolutePath().normalize();
        }
        DaxguardConfig configuration = config == null ? DaxguardConfig.defaults()
                : ConfigLoader.loadLeavingUnsetVariables(config);
        if (configuration.ledger().shared()) {
            throw new SharedLedgerException("the ledger of " + config + " is shared (ledger.url "
                    + configuration.ledger().url() + "): read it with daxguard fleet status --config " + config);
        }
        return DaxguardHome.resolve(DaxguardHome.home(), configuration.stateDirectory());
    }

    /** The configuration keeps the ledger in a shared database, not in a state directory. */
    static final class SharedLedgerException extends IOException {
        SharedLedgerException(String message) {
            super(message);
        }
    }

    /**
     * Opens the ledger read-only and runs {@code work} on it; a configuration that cannot be read or a ledger that
     * cannot be read is one line on {@code err} and an exit code, never a stack trace.
     */
    int withLedger(PrintWriter err, LedgerWork work) {
        Path directory;
        try {
            directory = stateDirectory();
        } catch (ConfigurationException invalid) {
            err.println("daxguard: " + invalid.getMessage());
            return ExitCode.BAD_CONFIG;
        } catch (SharedLedgerException shared) {
            err.println("daxguard: " + shared.getMessage());
            return ExitCode.USAGE;
        } catch (IOException unreadable) {
            err.println("daxguard: cannot read " + config + ": " + unreadable.getMessage());
            return ExitCode.BAD_CONFIG;
        }
        try (LedgerReader ledger = LedgerReader.open(directory)) {
            if (!ledger.complete()) {
                err.println("daxguard: the ledger's write-ahead log could not be read (no -shm file in a read-only "
                        + "directory): the newest commits may be missing");
            }
            return work.run(ledger);
        } catch (LedgerReader.UnreadableLedgerException unreadable) {
            err.println("daxguard: " + unreadable.getMessage());
            return ExitCode.FAILED;
        }
    }
}
