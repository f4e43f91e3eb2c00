package io.daxguard.agent.cli;

import io.daxguard.agent.jmx.ObjectNames;
import java.io.PrintWriter;
import java.util.Arrays;
import javax.management.MBeanServerConnection;
import javax.management.openmbean.CompositeData;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The commands that are one JMX call each. */
final class SimpleCommands {
    private SimpleCommands() {
    }

    @Command(name = "report", description = "Report a media failure on a block device, as the kernel would.")
    static final class Report extends AgentCommand {
        @Parameters(index = "0", paramLabel = "DEVICE", description = "Kernel name (loop3, sdb2), /dev path or major:minor")
        String device;

        @Parameters(index = "1", paramLabel = "SECTOR", description = "First failed 512-byte sector")
        long sector;

        @Parameters(index = "2", paramLabel = "COUNT", description = "Number of failed 512-byte sectors")
        long count;

        @Option(names = "--errno", paramLabel = "N", defaultValue = "5", description = "Error returned (default 5, EIO)")
        int errno;

        @Override
        int run(MBeanServerConnection agent, PrintWriter out) throws Exception {
            out.println(agent.invoke(ObjectNames.agent(), "reportFailure", new Object[] {device, sector, count, errno},
                    new String[] {"java.lang.String", "long", "long", "int"}));
            return ExitCode.OK;
        }
    }

    @Command(name = "resolve", description = "Show what owns a byte range of a filesystem, recording nothing.")
    static final class Resolve extends AgentCommand {
        @Parameters(index = "0", paramLabel = "MOUNT", description = "Mount point, e.g. /srv/data")
        String mount;

        @Parameters(index = "1", paramLabel = "OFFSET", description = "First byte, from the start of the filesystem")
        long offset;

        @Parameters(index = "2", paramLabel = "LENGTH", description = "Bytes")
        long length;

        @Override
        int run(MBeanServerConnection agent, PrintWriter out) throws Exception {
            CompositeData[] owners = (CompositeData[]) agent.invoke(ObjectNames.filesystem(mount), "resolve",
                    new Object[] {offset, length}, new String[] {"long", "long"});
            if (owners.length == 0) {
                out.println("nothing owns bytes " + offset + "+" + length + " of " + mount);
            }
            for (CompositeData owner : owners) {
                out.println(describe(owner));
            }
            return ExitCode.OK;
        }
    }

    static String describe(CompositeData owner) {
        String[] paths = (String[]) owner.get("paths");
        String where = "fs bytes " + owner.get("filesystemOffset") + "+" + owner.get("length");
        if (paths != null && paths.length > 0) {
            return where + "  file " + String.join(", ", paths) + " (inode " + owner.get("inode") + ") "
                    + owner.get("fork") + " offset " + owner.get("fileOffset") + (Boolean.TRUE.equals(owner.get("shared"))
                    ? " shared" : "");
        }
        String structure = String.valueOf(owner.get("structure"));
        return where + "  " + owner.get("kind") + (structure.isEmpty() ? "" : " " + structure) + "  "
                + owner.get("description");
    }

    @Command(name = "scrub", description = "Control the read-verify scrub of a filesystem.")
    static final class Scrub extends AgentCommand {
        @Parameters(index = "0", paramLabel = "ACTION", description = "start, pause, resume, cancel or status")
        ScrubAction action;

        @Parameters(index = "1", paramLabel = "MOUNT", description = "Mount point")
        String mount;

        enum ScrubAction { start, pause, resume, cancel, status }

        @Override
        int run(MBeanServerConnection agent, PrintWriter out) throws Exception {
            var name = ObjectNames.filesystem(mount);
            if (action != ScrubAction.status) {
                String operation = action.name() + "Scrub";
                agent.invoke(name, operation, new Object[0], new String[0]);
            }
            ScrubProgress.follow(agent, name, out, action == ScrubAction.start || action == ScrubAction.resume);
            return ExitCode.OK;
        }
    }

    /** verify, rewrite, restore, quarantine, acknowledge: operations of a DamagedFile MBean. */
    abstract static class FileOperation extends AgentCommand {
        @Parameters(index = "0", paramLabel = "MOUNT", description = "Mount point of the filesystem")
        String mount;

        @Parameters(index = "1", paramLabel = "PATH", description = "Path of the damaged file inside the filesystem")
        String path;

        int invoke(MBeanServerConnection agent, PrintWriter out, String operation, Object[] arguments,
                   String[] signature) throws Exception {
            String relative = path.startsWith(mount + "/") ? path.substring(mount.length()) : path;
            Object result = agent.invoke(ObjectNames.damagedFile(mount, relative.startsWith("/") ? relative
                    : "/" + relative), operation, arguments, signature);
            out.println(result == null ? operation + ": done" : result instanceof Object[] array
                    ? Arrays.toString(array) : result);
            return ExitCode.OK;
        }
    }

    @Command(name = "verify", description = "Re-read a damaged file's ranges; closes those that read back good.")
    static final class Verify extends FileOperation {
        @Override
        int run(MBeanServerConnection agent, PrintWriter out) throws Exception {
            return invoke(agent, out, "verify", new Object[0], new String[0]);
        }
    }

    @Command(name = "rewrite", description = "Overwrite a damaged file's ranges with zeros (the data there is lost).")
    static final class Rewrite extends FileOperation {
        @Option(names = "--confirm", required = true, description = "Required: the damaged bytes become zeros")
        boolean confirm;

        @Override
        int run(MBeanServerConnection agent, PrintWriter out) throws Exception {
            return invoke(agent, out, "rewriteZeros", new Object[] {confirm}, new String[] {"boolean"});
        }
    }

    @Command(name = "restore", description = "Copy a damaged file's ranges from a replica.")
    static final class Restore extends FileOperation {
        @Parameters(index = "2", paramLabel = "REPLICA", description = "Path of a good copy of the file")
        String replica;

        @Override
        int run(MBeanServerConnection agent, PrintWriter out) throws Exception {
            return invoke(agent, out, "restoreFrom", new Object[] {replica}, new String[] {"java.lang.String"});
        }
    }

    @Command(name = "quarantine", description = "Move a damaged file out of the way (it stays on the filesystem).")
    static final class Quarantine extends FileOperation {
        @Override
        int run(MBeanServerConnection agent, PrintWriter out) throws Exception {
            return invoke(agent, out, "quarantine", new Object[0], new String[0]);
        }
    }

    @Command(name = "acknowledge", description = "Accept the loss of a damaged file's ranges, with a note.")
    static final class Acknowledge extends FileOperation {
        @Parameters(index = "2", paramLabel = "NOTE", description = "Why the loss is accepted (kept in the audit)")
        String note;

        @Override
        int run(MBeanServerConnection agent, PrintWriter out) throws Exception {
            return invoke(agent, out, "acknowledgeLoss", new Object[] {note}, new String[] {"java.lang.String"});
        }
    }
}
