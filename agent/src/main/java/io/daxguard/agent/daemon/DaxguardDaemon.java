package io.daxguard.agent.daemon;

import io.daxguard.agent.config.DaxguardHome;
import io.daxguard.agent.config.ConfigLoader;
import io.daxguard.agent.config.ConfigurationException;
import io.daxguard.agent.config.DaxguardConfig;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.daemon.Daemon;
import org.apache.commons.daemon.DaemonContext;
import org.apache.commons.daemon.DaemonInitException;

/**
 * daxguard under Commons Daemon's {@code jsvc} ({@code bin/daxguard-jsvc}): jsvc calls {@link #init} as root
 * (privileged resources are opened there), then {@link #start} after dropping to the configured user, then
 * {@link #stop} and {@link #destroy} on SIGTERM. Arguments: {@code [--config FILE]}.
 */
public final class DaxguardDaemon implements Daemon {
    private AgentService service;
    private DaxguardConfig config;

    public DaxguardDaemon() {
        // jsvc needs a public no-argument constructor.
    }

    @Override
    public void init(DaemonContext context) throws DaemonInitException, Exception {
        ProcessSetup.prepare();
        config = configFrom(List.of(context.getArguments()));
        service = AgentService.init(config, DaxguardHome.home());
    }

    static DaxguardConfig configFrom(List<String> arguments) throws DaemonInitException {
        if (arguments.isEmpty()) {
            return DaxguardConfig.defaults();
        }
        if (arguments.size() != 2 || !arguments.get(0).equals("--config")) {
            throw new DaemonInitException("usage: DaxguardDaemon [--config FILE], got " + arguments);
        }
        try {
            return ConfigLoader.load(Path.of(arguments.get(1)));
        } catch (ConfigurationException invalid) {
            throw new DaemonInitException(invalid.getMessage());
        } catch (java.io.IOException unreadable) {
            throw new DaemonInitException("cannot read " + arguments.get(1) + ": " + unreadable.getMessage());
        }
    }

    @Override
    public void start() throws Exception {
        service.start();
        ProcessSetup.lockMemory(config);
    }

    @Override
    public void stop() {
        service.stop();
    }

    @Override
    public void destroy() {
        if (service != null) {
            service.close();
            service = null;
        }
    }
}
