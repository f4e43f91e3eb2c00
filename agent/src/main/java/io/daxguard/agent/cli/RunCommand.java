package io.daxguard.agent.cli;

import io.daxguard.agent.config.DaxguardHome;
import io.daxguard.agent.daemon.Agent;
import io.daxguard.agent.config.ConfigLoader;
import io.daxguard.agent.config.ConfigurationException;
import io.daxguard.agent.config.DaxguardConfig;
import io.daxguard.agent.daemon.AgentService;
import io.daxguard.agent.daemon.ProcessSetup;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code daxguard run}: the agent in the foreground until SIGTERM or SIGINT (what systemd's
 * {@code Type=simple} unit runs). Without {@code --config} the embedded defaults apply.
 */
@Command(name = "run", description = "Run the agent in the foreground until Ctrl-C or SIGTERM.")
final class RunCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration (default: embedded defaults)")
    Path config;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where the ledger lives; overrides stateDirectory of the configuration")
    Path stateDirectory;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DaxguardConfig configuration;
        try {
            configuration = config == null ? DaxguardConfig.defaults() : ConfigLoader.load(config);
            if (stateDirectory != null) {
                configuration = ConfigLoader.validate("--state-dir",
                        configuration.withStateDirectory(stateDirectory.toAbsolutePath().toString()));
            }
        } catch (ConfigurationException invalid) {
            err.println("daxguard: " + invalid.getMessage());
            return ExitCode.BAD_CONFIG;
        } catch (java.io.IOException unreadable) {
            err.println("daxguard: cannot read " + config + ": " + unreadable.getMessage());
            return ExitCode.BAD_CONFIG;
        }
        AgentService service;
        try {
            service = AgentService.init(configuration, DaxguardHome.home());
            service.start();
        } catch (Exception e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof io.daxguard.agent.config.UnusableConfiguredFile unusable) {
                    err.println("daxguard: invalid configuration: " + unusable.getMessage());
                    return ExitCode.BAD_CONFIG;
                }
            }
            err.println("daxguard: could not start: " + AgentConnection.rootMessage(e));
            return ExitCode.FAILED;
        }
        ProcessSetup.lockMemory(configuration);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            err.println("daxguard: stopped");
            err.flush();
            stopped.countDown();
        }, "daxguard-shutdown"));
        out.println("daxguard " + Agent.version() + " running (pid " + ProcessHandle.current().pid() + ")"
                + service.remoteAddress().map(url -> "; remote JMX at " + url).orElse("")
                + "; `daxguard status` or jconsole (io.daxguard domain) show what it knows. Ctrl-C stops it.");
        out.println(service.agent().map(agent -> agent.topology().current().primaryMounts().size()).orElse(0)
                + " block-device filesystem(s) mounted");
        out.flush();
        stopped.await();
        return ExitCode.OK;
    }
}
