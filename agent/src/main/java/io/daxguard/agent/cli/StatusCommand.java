package io.daxguard.agent.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.agent.jmx.OfflineStatusReport;
import io.daxguard.agent.ledger.DamageRecord;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code daxguard status}: the failure sources' states, then what {@code zpool status} shows for a pool, for every
 * filesystem daxguard holds: health, scrub, damaged files with their ranges and states, metadata damage, device damage
 * no filesystem holds. With {@code --offline}, the same from the ledger alone ({@link OfflineStatusReport}).
 */
@Command(name = "status", description = "Show the health and damage of every filesystem, like zpool status.")
final class StatusCommand extends AgentCommand {
    private static final String FILESYSTEM_LINE = "  filesystem: ";
    private static final String STATE_LINE = "       state: ";
    private static final String SCRUB_LINE = "       scrub: ";

    @Option(names = {"-v", "--verbose"}, description = "List every damaged range, not only the damaged files")
    boolean verbose;

    @Option(names = "--json", description = "Print JSON for scripts instead of text")
    boolean json;

    @Option(names = "--offline", description = "Show the status from the ledger alone, with no agent: reads the "
            + "ledger of the state directory (see --state-dir, --config); what only a running agent knows (mounts, "
            + "scrubs, reverse maps) is not shown")
    boolean offline;

    @Mixin
    LedgerLocation location = new LedgerLocation();

    @Override
    Optional<Integer> runWithoutAgent(PrintWriter out, PrintWriter err) {
        if (!offline) {
            if (location.given()) {
                throw new ParameterException(spec.commandLine(), "--state-dir and --config need --offline: without it "
                        + "status asks the running agent");
            }
            return Optional.empty();
        }
        if (connection.url != null || connection.pid != null || connection.user != null) {
            throw new ParameterException(spec.commandLine(), "--offline reads the ledger, not an agent: "
                    + "--url, --pid and --user do not go with it");
        }
        return Optional.of(location.withLedger(err, ledger -> {
            List<DamageRecord> records = ledger.records();
            Instant readAt = Instant.now();
            if (json) {
                Map<String, Object> document = new LinkedHashMap<>();
                document.put("ledger", ledger.file().toString());
                document.put("schemaVersion", ledger.schemaVersion());
                document.put("readAt", readAt.toString());
                document.putAll(OfflineStatusReport.document(records));
                try {
                    out.println(Json.write(document));
                } catch (JsonProcessingException e) {
                    throw new UncheckedIOException(e);
                }
            } else {
                out.print(OfflineStatusReport.render("daxguard status from the ledger " + ledger.file() + ", read at "
                        + readAt + "\n(no agent asked: filesystems are named by where they were mounted when their "
                        + "damage was recorded)", records, verbose));
            }
            return OfflineStatusReport.damaged(records) ? ExitCode.DAMAGE : ExitCode.OK;
        }));
    }

    @Override
    int run(MBeanServerConnection agent, PrintWriter out) throws Exception {
        List<Map<String, Object>> filesystems = new ArrayList<>();
        boolean damaged = false;
        for (ObjectName name : agent.queryNames(ObjectNames.allFilesystems(), null)) {
            String health = String.valueOf(agent.getAttribute(name, "Health"));
            damaged |= health.equals("DEGRADED") || health.equals("UNHEALTHY");
            if (json) {
                filesystems.add(filesystem(agent, name, health));
            }
        }
        long unowned = 0;
        for (ObjectName device : agent.queryNames(ObjectNames.allDevices(), null)) {
            Object ranges = agent.getAttribute(device, "UnownedDamage");
            unowned += ranges instanceof Object[] array ? array.length : 0;
        }
        damaged |= unowned > 0;
        if (json) {
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("version", agent.getAttribute(ObjectNames.agent(), "Version"));
            document.put("damageRecords", agent.getAttribute(ObjectNames.agent(), "DamageRecords"));
            document.put("sources", Json.plain(agent.getAttribute(ObjectNames.agent(), "Sources")));
            document.put("filesystems", filesystems);
            document.put("unownedDamage", unownedDamage(agent));
            out.println(Json.write(document));
        } else {
            // Both views are rendered by the agent from its records, so no line kind is lost to filtering text.
            String text = (String) agent.invoke(ObjectNames.agent(), verbose ? "status" : "statusSummary",
                    new Object[0], new String[0]);
            out.print(withScrubs(text, scrubs(agent)));
        }
        return damaged ? ExitCode.DAMAGE : ExitCode.OK;
    }

    private static Map<String, Object> filesystem(MBeanServerConnection agent, ObjectName name, String health)
            throws Exception {
        Map<String, Object> filesystem = new LinkedHashMap<>();
        for (String attribute : List.of("MountPoint", "Type", "Device", "Uuid")) {
            filesystem.put(lowerFirst(attribute), agent.getAttribute(name, attribute));
        }
        try {
            filesystem.put("memberDevices", Json.plain(agent.getAttribute(name, "MemberDevices")));
        } catch (javax.management.AttributeNotFoundException olderAgent) {
            // An agent from before filesystems over several devices: its filesystems are on their own device.
        }
        filesystem.put("health", health);
        String frozen = String.valueOf(agent.getAttribute(name, "FrozenByDaxguard"));
        filesystem.put("frozenByDaxguard", frozen.isEmpty() ? null : frozen);
        for (String attribute : List.of("DamagedFileCount", "DamagedBytes", "FreeSpaceDamageBytes")) {
            filesystem.put(lowerFirst(attribute), agent.getAttribute(name, attribute));
        }
        filesystem.put("metadataDamage", Json.plain(agent.getAttribute(name, "MetadataDamage")));
        List<Object> files = new ArrayList<>();
        for (int offset = 0; ; offset += 1000) {
            CompositeData[] page = (CompositeData[]) agent.invoke(name, "listDamagedFiles", new Object[] {offset, 1000},
                    new String[] {"int", "int"});
            for (CompositeData file : page) {
                if (!"OPEN".equals(file.get("state"))) {
                    continue; // closed is history (daxguard events); the status says what is damaged now
                }
                Map<String, Object> entry = Json.toMap(file);
                fileDetails(agent, String.valueOf(file.get("objectName")), entry);
                files.add(entry);
            }
            if (page.length < 1000) {
                break;
            }
        }
        filesystem.put("damagedFiles", files);
        CompositeData scrub = ScrubDisplay.read(agent, name);
        Map<String, Object> scrubEntry = Json.toMap(scrub);
        scrubEntry.put("progress", ScrubDisplay.fraction(scrub));
        filesystem.put("scrub", scrubEntry);
        return filesystem;
    }

    /**
     * What the file's DamagedFile MBean adds to its listing: ranges, history, mapping processes. The listing names the
     * MBean as it is registered now (it follows the file's name and its filesystem's mount point); a file whose damage
     * is closed has none (its history is in the ledger's events), and one renamed meanwhile is left with its listing.
     */
    private static void fileDetails(MBeanServerConnection agent, String objectName, Map<String, Object> entry)
            throws Exception {
        if (objectName.isEmpty()) {
            return;
        }
        ObjectName fileName = new ObjectName(objectName);
        try {
            for (String attribute : List.of("DamagedRanges", "History", "MappingProcesses")) {
                entry.put(lowerFirst(attribute), Json.plain(agent.getAttribute(fileName, attribute)));
            }
        } catch (javax.management.InstanceNotFoundException renamedMeanwhile) {
            // Listed a moment ago under this name; the listing stands on its own.
        }
    }

    private static List<Object> unownedDamage(MBeanServerConnection agent) throws Exception {
        List<Object> damage = new ArrayList<>();
        Set<ObjectName> devices = agent.queryNames(ObjectNames.allDevices(), null);
        for (ObjectName device : devices) {
            Object ranges = Json.plain(agent.getAttribute(device, "UnownedDamage"));
            if (ranges instanceof List<?> list) {
                damage.addAll(list);
            }
        }
        return damage;
    }

    /** Each filesystem's scrub, as one line of text, by mount point. */
    private static Map<String, String> scrubs(MBeanServerConnection agent) throws Exception {
        Map<String, String> scrubs = new LinkedHashMap<>();
        for (ObjectName name : agent.queryNames(ObjectNames.allFilesystems(), null)) {
            scrubs.put(String.valueOf(agent.getAttribute(name, "MountPoint")),
                    ScrubDisplay.describe(ScrubDisplay.read(agent, name)));
        }
        return scrubs;
    }

    /**
     * The agent's report with a {@code scrub:} line after each filesystem's {@code state:} line (where
     * {@code zpool status} shows its scan). The report is the agent's; the scrub is read from the Filesystem MBeans.
     */
    static String withScrubs(String text, Map<String, String> scrubs) {
        List<String> lines = new ArrayList<>();
        String filesystem = null;
        for (String line : text.split("\n", -1)) {
            lines.add(line);
            if (line.startsWith(FILESYSTEM_LINE)) {
                filesystem = line.substring(FILESYSTEM_LINE.length());
            } else if (line.startsWith(STATE_LINE) && filesystem != null && scrubs.containsKey(filesystem)) {
                lines.add(SCRUB_LINE + scrubs.get(filesystem));
                filesystem = null;
            }
        }
        return String.join("\n", lines);
    }


    private static String lowerFirst(String name) {
        return Character.toLowerCase(name.charAt(0)) + name.substring(1);
    }
}
