package io.daxguard.agent.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code daxguard demo}: see {@link io.daxguard.agent.demo.Demo}. */
@Command(name = "demo", description = "Make scratch XFS and ext4 filesystems on loop disks, damage files on them, "
        + "show what daxguard reports, and clean up. Needs root; touches nothing it did not create.")
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        return io.daxguard.agent.demo.Demo.run(spec.commandLine().getOut(), spec.commandLine().getErr());
    }
}
