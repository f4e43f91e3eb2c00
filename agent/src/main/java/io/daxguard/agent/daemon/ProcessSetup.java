package io.daxguard.agent.daemon;

import io.daxguard.agent.config.DaxguardConfig;
import io.daxguard.agent.config.DaxguardHome;
import io.daxguard.support.linux.MemoryLock;
import io.daxguard.support.linux.NativeCallException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What both entry points (the command line's {@code main}, jsvc's {@code init}) set first, before any class that
 * loads a native library: the log line format, and where JNA's and SQLite's native libraries come from; and what
 * they do once the agent has started: lock its pages in memory.
 */
public final class ProcessSetup {
    private static final System.Logger LOG = System.getLogger(ProcessSetup.class.getName());

    private ProcessSetup() {
    }

    /**
     * Locks the pages the started agent has used, and those it touches later, in memory ({@link MemoryLock}) when
     * {@code lockMemory} is set. Only the agent's own process does this (tests that start an agent in their JVM do
     * not): after start, when its code, heap and native libraries are mapped. A refusal is logged, not fatal: the
     * agent works as before, only slower on the first failure after its pages were evicted. Whether it locked.
     */
    public static boolean lockMemory(DaxguardConfig config) {
        if (!config.lockMemory()) {
            LOG.log(System.Logger.Level.INFO, "lockMemory is off: the agent's pages may be evicted under memory "
                    + "pressure and read back from disk when a failure comes");
            return false;
        }
        try {
            MemoryLock.lockPagesInUse();
            LOG.log(System.Logger.Level.INFO, "pages in use locked in memory (lockMemory): a failure is answered "
                    + "without reading the agent back from disk");
            return true;
        } catch (NativeCallException refused) {
            LOG.log(System.Logger.Level.WARNING, refused.getMessage() + ": the agent runs with its pages evictable. "
                    + "Give it CAP_IPC_LOCK (root has it unless its capabilities are bounded, as by a unit's "
                    + "CapabilityBoundingSet) or LimitMEMLOCK=infinity, or set lockMemory: false");
            return false;
        }
    }

    public static void prepare() {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT%1$tz %4$s %3$s: %5$s%6$s%n");
        }
        nativeLibrariesFrom(DaxguardHome.home());
    }

    /**
     * JNA's and SQLite's native libraries from {@code <home>/lib/native/<machine>/} (unpacked there at build time)
     * when that directory exists: never extracted into {@code /tmp} at run time, which appliances often mount
     * {@code noexec}. Set here rather than by the launchers so a home path with spaces needs no shell quoting of a
     * list of options; an option given on the command line (DAXGUARD_JAVA_OPTS) wins.
     */
    static void nativeLibrariesFrom(Path home) {
        Path libraries = home.resolve("lib/native").resolve(machine());
        if (!Files.isDirectory(libraries)) {
            return;
        }
        setUnlessGiven("jna.boot.library.path", libraries.toString());
        setUnlessGiven("jna.nosys", "true");
        setUnlessGiven("jna.nounpack", "true");
        setUnlessGiven("org.sqlite.lib.path", libraries.toString());
        setUnlessGiven("org.sqlite.lib.name", "libsqlitejdbc.so");
    }

    /** The machine as {@code uname -m} names it (the JDK says amd64 for x86_64). */
    static String machine() {
        String arch = System.getProperty("os.arch");
        return arch.equals("amd64") ? "x86_64" : arch;
    }

    private static void setUnlessGiven(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }
}
