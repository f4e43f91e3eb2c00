package io.daxguard.agent.cli;

import io.daxguard.agent.jmx.ObjectNames;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.management.InstanceNotFoundException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/** The commands that are one JMX call each. */
final class SimpleCommands {
    private SimpleCommands() {
    }

    @Command(name = "report", description = "Report a media failure on a block device, as the kernel would; or many, "
            + "read from a file (--from).")
    static final class Report extends AgentCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "DEVICE",
                description = "Kernel name (loop3, sdb2), /dev path or major:minor")
        String device;

        @Parameters(index = "1", arity = "0..1", paramLabel = "SECTOR", description = "First failed 512-byte sector")
        Long sector;

        @Parameters(index = "2", arity = "0..1", paramLabel = "COUNT", description = "Number of failed 512-byte sectors")
        Long count;

        @Option(names = "--errno", paramLabel = "N", defaultValue = "5", description = "Error returned (default 5, EIO); with --from, for lines that give none")
        int errno;

        @Option(names = "--from", paramLabel = "FILE", description = "Report every line of FILE (- for stdin): "
                + "DEVICE SECTOR COUNT [ERRNO]; blank lines and # comments are skipped. Every line is checked before "
                + "anything is sent, then they are sent in batches (reportFailures)")
        String from;

        @Option(names = "--json", description = "One JSON object per line: the answer, or with --from one per line "
                + "of input")
        boolean json;

        private List<BatchInput.ReportLine> lines;

        @Override
        Optional<Integer> runWithoutAgent(PrintWriter out, PrintWriter err) {
            boolean single = device != null || sector != null || count != null;
            if (from == null) {
                if (device == null || sector == null || count == null) {
                    throw new ParameterException(spec.commandLine(), "DEVICE SECTOR COUNT are needed, or --from FILE");
                }
                return Optional.empty();
            }
            if (single) {
                throw new ParameterException(spec.commandLine(), "give DEVICE SECTOR COUNT or --from FILE, not both");
            }
            try {
                lines = BatchInput.reports(from, stdin(), errno);
                return Optional.empty();
            } catch (BatchInput.BadLine bad) {
                err.println("daxguard: " + bad.getMessage() + "; nothing was sent");
                return Optional.of(ExitCode.USAGE);
            }
        }

        @Override
        int run(MBeanServerConnection agent, PrintWriter out) throws Exception {
            if (lines != null) {
                return BatchCalls.report(agent, lines, json, out, spec.commandLine().getErr());
            }
            Object answer = agent.invoke(ObjectNames.agent(), "reportFailure", new Object[] {device, sector, count, errno},
                    new String[] {"java.lang.String", "long", "long", "int"});
            out.println(json ? Json.line(Json.object("device", device, "sector", sector, "count", count, "errno", errno,
                    "answer", answer)) : answer);
            return ExitCode.OK;
        }
    }

    @Command(name = "resolve", description = "Show what owns a byte range of a filesystem, recording nothing. A range"
            + " larger than the agent's mbeans.resolveBytes is asked for and printed a page at a time.")
    static final class Resolve extends AgentCommand {
        @Parameters(index = "0", paramLabel = "MOUNT", description = "Mount point, e.g. /srv/data")
        String mount;

        @Parameters(index = "1", arity = "0..1", paramLabel = "OFFSET",
                description = "First byte, from the start of the filesystem")
        Long offset;

        @Parameters(index = "2", arity = "0..1", paramLabel = "LENGTH", description = "Bytes")
        Long length;

        @Option(names = "--from", paramLabel = "FILE", description = "Resolve every line of FILE (- for stdin): "
                + "OFFSET LENGTH; blank lines and # comments are skipped. Every line is checked before anything is "
                + "sent, then they are sent in batches (resolveRanges)")
        String from;

        @Option(names = "--json", description = "One JSON object per line: per owner, the summary, or with --from "
                + "one per line of input")
        boolean json;

        private List<BatchInput.RangeLine> lines;

        @Override
        Optional<Integer> runWithoutAgent(PrintWriter out, PrintWriter err) {
            if (from == null) {
                if (offset == null || length == null) {
                    throw new ParameterException(spec.commandLine(), "OFFSET LENGTH are needed, or --from FILE");
                }
                return Optional.empty();
            }
            if (offset != null || summary) {
                throw new ParameterException(spec.commandLine(), "--from reads OFFSET LENGTH from the file; give "
                        + "neither them nor --summary with it");
            }
            try {
                lines = BatchInput.ranges(from, stdin());
                return Optional.empty();
            } catch (BatchInput.BadLine bad) {
                err.println("daxguard: " + bad.getMessage() + "; nothing was sent");
                return Optional.of(ExitCode.USAGE);
            }
        }

        @Option(names = "--summary", description = "Counts per kind of owner and the first owners, not every owner")
        boolean summary;

        @Option(names = "--first", paramLabel = "N", defaultValue = "20",
                description = "With --summary: list this many owners in full (0..1000, default 20)")
        int first;

        @Override
        int run(MBeanServerConnection agent, PrintWriter out) throws Exception {
            ObjectName filesystem = ObjectNames.filesystem(FileOperation.normalized(mount));
            if (lines != null) {
                return BatchCalls.resolve(agent, filesystem, from, lines, json, out, spec.commandLine().getErr());
            }
            if (summary) {
                CompositeData answer = (CompositeData) agent.invoke(filesystem, "resolveSummary",
                        new Object[] {offset, length, first}, new String[] {"long", "long", "int"});
                if (json) {
                    out.println(Json.line(Json.toMap(answer)));
                } else {
                    printSummary(answer, out);
                }
                return ExitCode.OK;
            }
            long printed = 0;
            // Page by page, printed as each arrives: neither the agent nor this command holds the whole range.
            for (long at = offset, left = length; at >= 0; ) {
                CompositeData page = (CompositeData) agent.invoke(filesystem, "resolvePage", new Object[] {at, left},
                        new String[] {"long", "long"});
                for (CompositeData owner : (CompositeData[]) page.get("owners")) {
                    out.println(json ? Json.line(Json.toMap(owner)) : describe(owner));
                    printed++;
                }
                out.flush();
                at = (Long) page.get("nextOffset");
                left = (Long) page.get("remainingBytes");
            }
            if (printed == 0 && !json) {
                out.println("nothing owns bytes " + offset + "+" + length + " of " + mount);
            }
            return ExitCode.OK;
        }

        private void printSummary(CompositeData summary, PrintWriter out) {
            out.println("bytes " + summary.get("offset") + "+" + summary.get("length") + " of " + mount + ": "
                    + summary.get("owners") + " owner(s), looked at in " + summary.get("pages") + " page(s)");
            for (CompositeData kind : (CompositeData[]) summary.get("kinds")) {
                out.println("  " + kind.get("kind") + ": " + kind.get("owners") + " owner(s), " + kind.get("bytes")
                        + " bytes");
            }
            CompositeData[] firstOwners = (CompositeData[]) summary.get("firstOwners");
            if (firstOwners.length > 0) {
                out.println("first " + firstOwners.length + ":");
            }
            for (CompositeData owner : firstOwners) {
                out.println(describe(owner));
            }
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

    @Command(name = "scrub", description = "Control the read-verify scrub of a filesystem, or show how far it is.")
    static final class Scrub extends AgentCommand {
        @Parameters(index = "0", paramLabel = "ACTION", description = "start, pause, resume, cancel or status")
        ScrubAction action;

        @Parameters(index = "1", paramLabel = "MOUNT", description = "Mount point")
        String mount;

        @picocli.CommandLine.Mixin
        JsonOption output = new JsonOption();

        /** Each action but status is the Filesystem MBean operation {@code <action>Scrub()}. */
        enum ScrubAction { start, pause, resume, cancel, status }

        @Override
        int run(MBeanServerConnection agent, PrintWriter out) throws Exception {
            ObjectName name = ObjectNames.filesystem(FileOperation.normalized(mount));
            CompositeData scrub = action == ScrubAction.status ? ScrubDisplay.read(agent, name)
                    : (CompositeData) agent.invoke(name, action.name() + "Scrub", new Object[0], new String[0]);
            if (output.json) {
                out.println(Json.line(Json.toMap(scrub)));
            } else {
                ScrubDisplay.show(agent, name, scrub, out, action == ScrubAction.start || action == ScrubAction.resume);
            }
            return ExitCode.OK;
        }
    }

    /**
     * verify, rewrite, restore, quarantine, acknowledge: operations of a DamagedFile MBean. Each prints the
     * agent's answer and then the file's State.
     */
    abstract static class FileOperation extends AgentCommand {
        @Parameters(index = "0", paramLabel = "MOUNT", description = "Mount point of the filesystem")
        String mount;

        @Parameters(index = "1", paramLabel = "PATH",
                description = "Path of the damaged file inside the filesystem (/dir/file), or with the mount point")
        String path;

        @picocli.CommandLine.Mixin
        JsonOption output = new JsonOption();

        /** The mount point as the agent names it: no trailing slash. */
        static String normalized(String mount) {
            String trimmed = mount;
            while (trimmed.length() > 1 && trimmed.endsWith("/")) {
                trimmed = trimmed.substring(0, trimmed.length() - 1);
            }
            return trimmed;
        }

        /** The path inside the filesystem, starting with a slash, as the DamagedFile MBean's Path shows it. */
        String relativePath() {
            String mountPoint = normalized(mount);
            String relative = path.startsWith(mountPoint + "/") && !mountPoint.equals("/")
                    ? path.substring(mountPoint.length()) : path;
            return relative.startsWith("/") ? relative : "/" + relative;
        }

        /**
         * The file's MBean: named by the path it had when it was registered, so another name (a hard link, or the
         * name after a quarantine) is looked up in the Paths of the filesystem's DamagedFile MBeans.
         */
        ObjectName damagedFile(MBeanServerConnection agent) throws Exception {
            String mountPoint = normalized(mount);
            ObjectName byName = ObjectNames.damagedFile(mountPoint, relativePath());
            if (agent.isRegistered(byName)) {
                return byName;
            }
            for (ObjectName candidate : agent.queryNames(ObjectNames.damagedFilesOf(mountPoint), null)) {
                if (Arrays.asList((String[]) agent.getAttribute(candidate, "Paths")).contains(relativePath())) {
                    return candidate;
                }
            }
            throw new InstanceNotFoundException("damaged file " + relativePath() + " on " + mountPoint
                    + " (`daxguard status` lists the damaged files)");
        }

        int invoke(MBeanServerConnection agent, PrintWriter out, String operation, Object[] arguments,
                   String[] signature) throws Exception {
            ObjectName file = damagedFile(agent);
            Object inode = agent.getAttribute(file, "Inode");
            Object generation = agent.getAttribute(file, "Generation");
            Object answer = agent.invoke(file, operation, arguments, signature);
            Object state = agent.isRegistered(file) ? agent.getAttribute(file, "State")
                    : closedState(agent, ObjectName.unquote(file.getKeyProperty("filesystem")), inode, generation);
            if (output.json) {
                out.println(Json.line(Json.object("mount", normalized(mount), "path", relativePath(), "inode", inode,
                        "generation", generation, "operation", operation, "answer", answer, "state", state)));
            } else {
                out.println(answer);
                out.println("state: " + state);
            }
            return ExitCode.OK;
        }

        /**
         * The state of a file whose last open damage was closed: its MBean went away with it, and its filesystem lists
         * it (listDamagedFiles, every file the ledger keeps).
         */
        private static String closedState(MBeanServerConnection agent, String mountPoint, Object inode,
                                          Object generation) throws Exception {
            ObjectName filesystem = ObjectNames.filesystem(mountPoint);
            for (int offset = 0; ; offset += 1000) {
                CompositeData[] page = (CompositeData[]) agent.invoke(filesystem, "listDamagedFiles",
                        new Object[] {offset, 1000}, new String[] {"int", "int"});
                for (CompositeData file : page) {
                    if (file.get("inode").equals(inode) && file.get("generation").equals(generation)) {
                        return (String) file.get("state");
                    }
                }
                if (page.length < 1000) {
                    return "closed (its MBean was unregistered)";
                }
            }
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

        @Option(names = "--force", description = "Also over ranges that read clean now (rewritten since the damage "
                + "was found: that data is lost too); the filesystem, file and block checks still hold")
        boolean force;

        /** The agent asks for the file's path as confirmation; the one the operator typed is sent. */
        @Override
        int run(MBeanServerConnection agent, PrintWriter out) throws Exception {
            return invoke(agent, out, force ? "forceRewriteZeros" : "rewriteZeros", new Object[] {relativePath()},
                    new String[] {"java.lang.String"});
        }
    }

    @Command(name = "restore", description = "Copy a damaged file's ranges from a good copy: the one given, or the "
            + "one the agent's replica provider names.")
    static final class Restore extends FileOperation {
        @Parameters(index = "2", arity = "0..1", paramLabel = "REPLICA",
                description = "Absolute path of a good copy under one of the agent's replica.roots (as the agent sees "
                        + "it); none: ask the replica provider")
        String replica;

        @Option(names = "--force", description = "Also over ranges that read clean now; needs REPLICA")
        boolean force;

        @Override
        Optional<Integer> runWithoutAgent(PrintWriter out, PrintWriter err) {
            if (force && replica == null) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "restore --force needs the REPLICA path (the replica provider is not forced)");
            }
            return Optional.empty();
        }

        @Override
        int run(MBeanServerConnection agent, PrintWriter out) throws Exception {
            return replica == null ? invoke(agent, out, "restoreFromReplica", new Object[0], new String[0])
                    : invoke(agent, out, force ? "forceRestoreFrom" : "restoreFrom", new Object[] {replica},
                    new String[] {"java.lang.String"});
        }
    }

    @Command(name = "quarantine", description = "Move a damaged file into .daxguard-quarantine at the root of its "
            + "filesystem (a rename; it stays on the filesystem); with --release, put a quarantined file back.")
    static final class Quarantine extends FileOperation {
        @Option(names = "--release", description = "Put the quarantined file PATH (its name in .daxguard-quarantine, "
                + "or /.daxguard-quarantine/NAME) back where it was; refused if that name is taken")
        boolean release;

        @Override
        int run(MBeanServerConnection agent, PrintWriter out) throws Exception {
            if (release) {
                String relative = relativePath();
                String name = relative.startsWith("/.daxguard-quarantine/") ? relative : relative.substring(1);
                Object answer = agent.invoke(ObjectNames.filesystem(normalized(mount)), "releaseQuarantined",
                        new Object[] {name}, new String[] {"java.lang.String"});
                out.println(output.json ? Json.line(Json.object("mount", normalized(mount), "name", name,
                        "operation", "releaseQuarantined", "answer", answer)) : answer);
                return ExitCode.OK;
            }
            return invoke(agent, out, "quarantine", new Object[0], new String[0]);
        }
    }

    @Command(name = "policy", description = "Recovery policies: what the agent does by itself about new damage.",
            subcommands = PolicyTest.class)
    static final class Policy implements Runnable {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "name a subcommand: test");
        }
    }

    @Command(name = "test", description = "Say what the filesystem's recovery policy would do to damage in a file "
            + "now, step by step and why; nothing is written, moved or signalled.")
    static final class PolicyTest extends AgentCommand {
        @Parameters(index = "0", paramLabel = "MOUNT", description = "Mount point of the filesystem")
        String mount;

        @Parameters(index = "1", paramLabel = "PATH", description = "The file, inside the filesystem (/dir/file) or "
                + "with the mount point")
        String path;

        @picocli.CommandLine.Mixin
        JsonOption output = new JsonOption();

        @Override
        int run(MBeanServerConnection agent, PrintWriter out) throws Exception {
            String mountPoint = FileOperation.normalized(mount);
            Object answer = agent.invoke(ObjectNames.filesystem(mountPoint), "testPolicy", new Object[] {path},
                    new String[] {"java.lang.String"});
            out.println(output.json ? Json.line(Json.object("mount", mountPoint, "path", path, "plan", answer))
                    : answer);
            return ExitCode.OK;
        }
    }

    @Command(name = "acknowledge", description = "Accept the loss of a damaged file's ranges, with a note.")
    static final class Acknowledge extends FileOperation {
        @Parameters(index = "2", paramLabel = "NOTE", description = "Why the loss is accepted (kept in the History)")
        String note;

        @Override
        int run(MBeanServerConnection agent, PrintWriter out) throws Exception {
            return invoke(agent, out, "acknowledgeLoss", new Object[] {note}, new String[] {"java.lang.String"});
        }
    }
}
