package io.daxguard.agent;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;

/**
 * The command line: {@code daxguard run} starts the agent in the foreground with the embedded default
 * configuration and runs until SIGTERM or SIGINT.
 *
 * <p>Exit codes: 0 after an orderly stop, 1 when the agent could not start, 2 on a usage error.
 */
public final class Daxguard {
    static final int EXIT_OK = 0;
    static final int EXIT_START_FAILED = 1;
    static final int EXIT_USAGE = 2;

    private Daxguard() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT%1$tz %4$s %3$s: %5$s%6$s%n");
        }
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        if (args.length == 1 && args[0].equals("version")) {
            out.println("daxguard " + Agent.version());
            return EXIT_OK;
        }
        Agent.Settings settings = Agent.Settings.defaults();
        if (args.length == 3 && args[0].equals("run") && args[1].equals("--state-dir")) {
            settings = settings.withStateDirectory(java.nio.file.Path.of(args[2]));
        } else if (args.length != 1 || !args[0].equals("run")) {
            err.println("usage: daxguard run [--state-dir DIR]  start the agent in the foreground (stop with Ctrl-C"
                    + " or SIGTERM); DIR holds the damage ledger (default /var/lib/daxguard)");
            err.println("       daxguard version   print the version");
            return EXIT_USAGE;
        }
        Agent agent;
        try {
            agent = Agent.start(settings);
        } catch (Exception e) {
            err.println("daxguard: could not start: " + e.getMessage());
            return EXIT_START_FAILED;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            err.println("daxguard: stopped");
            stopped.countDown();
        }, "daxguard-shutdown"));
        out.println("daxguard " + Agent.version() + " running (pid " + ProcessHandle.current().pid()
                + "); connect jconsole to this process and open the io.daxguard domain. Ctrl-C stops it.");
        out.println(agent.status());
        out.println("status later: jconsole > MBeans > io.daxguard > Agent > Operations > status()");
        stopped.await();
        return EXIT_OK;
    }
}
