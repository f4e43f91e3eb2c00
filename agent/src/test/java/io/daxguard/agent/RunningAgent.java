package io.daxguard.agent;

import io.daxguard.agent.daemon.Agent;
import io.daxguard.agent.daemon.AgentSettings;
import io.daxguard.agent.recovery.RecoverySettings;
import java.util.function.UnaryOperator;

import javax.management.MBeanServerConnection;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * {@link AgentFixture} as a JUnit extension: one agent for the whole test class, started before the class's
 * tests and closed after them, even when they fail. Register it as a static field after the scratch filesystem
 * it should watch, with {@code @Order(Integer.MAX_VALUE)}, so the filesystem is mounted before the agent starts
 * and unmounted only after it stopped.
 */
final class RunningAgent implements BeforeAllCallback, AfterAllCallback {
    /** Work done on the scratch filesystem before the agent starts (files the agent must find at attach). */
    @FunctionalInterface
    interface Preparation {
        void run() throws Exception;
    }

    private final Preparation beforeStart;
    private final UnaryOperator<AgentSettings> adjusted;
    private AgentFixture fixture;
    private MBeanServerConnection remote;

    private RunningAgent(Preparation beforeStart, UnaryOperator<AgentSettings> adjusted) {
        this.beforeStart = beforeStart;
        this.adjusted = adjusted;
    }

    /** An agent started as soon as the class's filesystems are mounted. */
    static RunningAgent started() {
        return new RunningAgent(() -> { }, settings -> settings);
    }

    /** An agent started once {@code beforeStart} has run. */
    static RunningAgent startedAfter(Preparation beforeStart) {
        return new RunningAgent(beforeStart, settings -> settings);
    }

    /** An agent started once {@code beforeStart} has run, with the settings {@code adjusted} makes of the test's. */
    static RunningAgent startedAfter(Preparation beforeStart, UnaryOperator<AgentSettings> adjusted) {
        return new RunningAgent(beforeStart, adjusted);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        beforeStart.run();
        fixture = new AgentFixture(null, RecoverySettings.defaults().withReplicaRoots(AgentFixture.SCRATCH), adjusted);
        remote = fixture.remote();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (fixture != null) {
            fixture.close();
            fixture = null;
        }
    }

    /** The agent itself, for what no MBean shows (its ledger, its processor). */
    Agent agent() {
        if (fixture == null) {
            throw new IllegalStateException("the agent is not running");
        }
        return fixture.agent();
    }

    /** The remote view, as jconsole has it. */
    MBeanServerConnection remote() {
        if (remote == null) {
            throw new IllegalStateException("the agent is not running");
        }
        return remote;
    }
}
