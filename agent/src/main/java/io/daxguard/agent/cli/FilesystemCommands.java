package io.daxguard.agent.cli;

import io.daxguard.agent.jmx.ObjectNames;
import java.io.PrintWriter;
import javax.management.MBeanServerConnection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * freeze, thaw, shutdown, clear-free-space, repair: operations of a Filesystem MBean on the whole filesystem. Each
 * prints the agent's answer; a refusal is exit 1 with its reason (exit 2 for a shutdown not confirmed with the mount point).
 */
final class FilesystemCommands {
    private FilesystemCommands() {
    }

    abstract static class FilesystemOperation extends AgentCommand {
        @Parameters(index = "0", paramLabel = "MOUNT", description = "Mount point of the filesystem")
        String mount;

        @picocli.CommandLine.Mixin
        JsonOption output = new JsonOption();

        int invoke(MBeanServerConnection agent, PrintWriter out, String operation, Object[] arguments,
                   String[] signature) throws Exception {
            String mountPoint = SimpleCommands.FileOperation.normalized(mount);
            Object answer = agent.invoke(ObjectNames.filesystem(mountPoint), operation, arguments, signature);
            out.println(output.json ? Json.line(Json.object("mount", mountPoint, "operation", operation,
                    "answer", answer)) : answer);
            return ExitCode.OK;
        }
    }

    @Command(name = "freeze", description = "Freeze a filesystem (FIFREEZE): it is made consistent on disk and every "
            + "write waits until `daxguard thaw MOUNT`. Refused on the filesystem of the agent's state directory.")
    static final class Freeze extends FilesystemOperation {
        @Override
        int run(MBeanServerConnection agent, PrintWriter out) throws Exception {
            return invoke(agent, out, "freeze", new Object[0], new String[0]);
        }
    }

    @Command(name = "thaw", description = "Thaw a frozen filesystem (FITHAW): waiting writes go on.")
    static final class Thaw extends FilesystemOperation {
        @Override
        int run(MBeanServerConnection agent, PrintWriter out) throws Exception {
            return invoke(agent, out, "thaw", new Object[0], new String[0]);
        }
    }

    @Command(name = "shutdown", description = "Shut a filesystem down as the kernel does for metadata it cannot trust "
            + "(xfs, ext4; the log flushed): every I/O on it fails until it is unmounted; then run its repair tool.")
    static final class Shutdown extends FilesystemOperation {
        @Option(names = "--confirm", required = true, paramLabel = "MOUNT",
                description = "The mount point again, to confirm")
        String confirm;

        @Override
        int run(MBeanServerConnection agent, PrintWriter out) throws Exception {
            return invoke(agent, out, "shutdown", new Object[] {SimpleCommands.FileOperation.normalized(confirm)},
                    new String[] {"java.lang.String"});
        }
    }

    @Command(name = "clear-free-space", description = "Clear the open damage in a filesystem's free space: frozen, "
            + "each range checked free, zeros written through the device and read back, thawed; ranges a file took "
            + "since are left recorded.")
    static final class ClearFreeSpace extends FilesystemOperation {
        @Override
        int run(MBeanServerConnection agent, PrintWriter out) throws Exception {
            return invoke(agent, out, "clearFreeSpaceDamage", new Object[0], new String[0]);
        }
    }

    @Command(name = "repair", description = "Repair the damage of a filesystem that keeps other copies (btrfs raid1, "
            + "DUP): each REDUNDANT range (data intact on another copy) rewritten from the good copy and verified; "
            + "a verified range closes REPAIRED_FROM_COPY, one with no good copy left is OPEN (data loss).")
    static final class Repair extends FilesystemOperation {
        @Override
        int run(MBeanServerConnection agent, PrintWriter out) throws Exception {
            return invoke(agent, out, "repairFromCopies", new Object[0], new String[0]);
        }
    }
}
