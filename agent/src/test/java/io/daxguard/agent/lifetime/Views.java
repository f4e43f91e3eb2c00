package io.daxguard.agent.lifetime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.daxguard.agent.jmx.ObjectNames;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;

/**
 * Compares what daxguard shows with what is true: the ledger file, the MBeans over a real JMX connection, and
 * {@code daxguard status --json}, each against the expected records and the filesystems as they are now. Every
 * difference is one line naming the view, so a failed step says at once which view is wrong and how.
 */
final class Views {
    /** A filesystem on one of the appliance's devices now, from the ground truth. */
    record CurrentFilesystem(String uuid, Path device, Path mountPoint) {
        String deviceName() {
            return device.getFileName().toString();
        }
    }

    private final List<ExpectedRecord> expected;
    private final List<CurrentFilesystem> filesystems;
    private final Map<String, Set<String>> names = new HashMap<>(); // "uuid/inode" -> names now

    private Views(List<ExpectedRecord> expected, List<CurrentFilesystem> filesystems) {
        this.expected = List.copyOf(expected);
        this.filesystems = List.copyOf(filesystems);
    }

    /** The truth to compare with: expected records, and the names their open files have now (asked of the filesystems). */
    static Views of(List<ExpectedRecord> expected, List<CurrentFilesystem> filesystems) throws Exception {
        Views views = new Views(expected, filesystems);
        for (ExpectedRecord record : expected) {
            if (record.open() && record.owner().isFile()) {
                CurrentFilesystem where = views.current(record.uuid());
                if (where == null) {
                    continue; // the expectation itself is stale (an earlier step's action failed): told by the views
                }
                views.names.put(record.uuid() + "/" + record.owner().inode(),
                        GroundTruth.namesOf(where.mountPoint(), record.owner().inode()));
            }
        }
        return views;
    }

    /** Differences between the ledger file and the expected records. */
    List<String> ledger(Path stateDirectory) throws Exception {
        List<String> differences = new ArrayList<>();
        Map<String, List<LedgerFile.Row>> rows = LedgerFile.read(stateDirectory).stream()
                .collect(Collectors.groupingBy(LedgerFile.Row::key, TreeMap::new, Collectors.toList()));
        Set<String> expectedKeys = new HashSet<>();
        for (ExpectedRecord want : expected) {
            expectedKeys.add(want.key());
            List<LedgerFile.Row> found = rows.getOrDefault(want.key(), List.of());
            if (found.size() != 1) {
                differences.add("ledger: " + want.label() + " (" + want.key() + ") has " + found.size()
                        + " record(s), expected 1: " + found);
                continue;
            }
            LedgerFile.Row row = found.get(0);
            check(differences, "ledger: " + want.label() + " state", want.state(), row.state());
            check(differences, "ledger: " + want.label() + " times seen", want.timesSeen(), row.timesSeen());
            check(differences, "ledger: " + want.label() + " inherited", want.inherited(), row.inheritedFrom() != 0);
            check(differences, "ledger: " + want.label() + " length", ExpectedRecord.LENGTH, row.length());
            check(differences, "ledger: " + want.label() + " owners", List.of(want.owner()),
                    row.owners().stream().map(LedgerFile.OwnerRow::owner).toList());
            check(differences, "ledger: " + want.label() + " mount point then", Set.of(want.mountPoint()),
                    row.owners().stream().map(LedgerFile.OwnerRow::mountPoint).collect(Collectors.toSet()));
        }
        rows.keySet().stream().filter(key -> !expectedKeys.contains(key))
                .forEach(key -> differences.add("ledger: unexpected record(s) " + rows.get(key)));
        return differences;
    }

    /** Differences between the MBeans and the truth. */
    List<String> mbeans(MBeanServerConnection remote) throws Exception {
        List<String> differences = new ArrayList<>();
        Set<ObjectName> wantFilesystems = new TreeSet<>();
        Set<ObjectName> wantFiles = new TreeSet<>();
        for (CurrentFilesystem fs : filesystems) {
            String mount = fs.mountPoint().toString();
            ObjectName name = ObjectNames.filesystem(mount);
            wantFilesystems.add(name);
            if (!remote.isRegistered(name)) {
                continue; // told below, once, with the other names
            }
            String what = "Filesystem MBean " + mount;
            check(differences, what + " Uuid", fs.uuid(), remote.getAttribute(name, "Uuid"));
            check(differences, what + " Health", health(fs.uuid()), remote.getAttribute(name, "Health"));
            check(differences, what + " DamagedFileCount", openFiles(fs.uuid()).size(),
                    remote.getAttribute(name, "DamagedFileCount"));
            check(differences, what + " FreeSpaceDamageBytes", freeBytes(fs.uuid()),
                    remote.getAttribute(name, "FreeSpaceDamageBytes"));
            check(differences, what + " MetadataDamage", structures(fs.uuid()), sorted(
                    (CompositeData[]) remote.getAttribute(name, "MetadataDamage"), "structure"));
            CompositeData[] listed = (CompositeData[]) remote.invoke(name, "listDamagedFiles", new Object[] {0, 1000},
                    new String[] {"int", "int"});
            // The listing keeps closed files too (with their state and no MBean): only the open ones are damaged now.
            check(differences, what + " listDamagedFiles inodes with open damage", openFiles(fs.uuid()),
                    openInodes(listed));
            check(differences, what + " listDamagedFiles closed files with an MBean", Set.of(),
                    Arrays.stream(listed).filter(row -> !"OPEN".equals(row.get("state"))
                            && !"".equals(row.get("objectName"))).map(row -> row.get("path")).collect(Collectors.toSet()));
            for (long inode : openFiles(fs.uuid())) {
                wantFiles.addAll(fileMBean(remote, differences, fs, inode));
            }
        }
        Set<ObjectName> haveFilesystems = new TreeSet<>(remote.queryNames(ObjectNames.allFilesystems(), null));
        check(differences, "Filesystem MBeans", wantFilesystems, haveFilesystems);
        Set<ObjectName> haveFiles = new TreeSet<>(remote.queryNames(new ObjectName(ObjectNames.DOMAIN
                + ":type=DamagedFile,*"), null));
        check(differences, "DamagedFile MBeans", wantFiles, haveFiles);
        check(differences, "Agent DamagedFileCount", filesystems.stream().mapToInt(fs -> openFiles(fs.uuid()).size())
                .sum(), remote.getAttribute(ObjectNames.agent(), "DamagedFileCount"));
        check(differences, "Agent DamageRecords", (long) expected.size(),
                remote.getAttribute(ObjectNames.agent(), "DamageRecords"));
        return differences;
    }

    /**
     * Checks the MBean of one open file; returns the names it may be registered under (any of its names now: the
     * first of several is the MBean's choice).
     */
    private Set<ObjectName> fileMBean(MBeanServerConnection remote, List<String> differences, CurrentFilesystem fs,
                                      long inode) throws Exception {
        Set<String> now = names.get(fs.uuid() + "/" + inode);
        Set<ObjectName> allowed = new TreeSet<>();
        for (String path : now) {
            allowed.add(ObjectNames.damagedFile(fs.mountPoint().toString(), path));
        }
        ObjectName registered = allowed.stream().filter(name -> {
            try {
                return remote.isRegistered(name);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).findFirst().orElse(null);
        if (registered == null) {
            differences.add("DamagedFile MBean of inode " + inode + " in " + fs.mountPoint() + ": none under its names "
                    + "now " + now);
            return allowed.isEmpty() ? Set.of() : Set.of(allowed.iterator().next());
        }
        String what = "DamagedFile MBean " + registered;
        check(differences, what + " Inode", inode, remote.getAttribute(registered, "Inode"));
        check(differences, what + " FilesystemUuid", fs.uuid(), remote.getAttribute(registered, "FilesystemUuid"));
        check(differences, what + " Filesystem", fs.mountPoint().toString(),
                remote.getAttribute(registered, "Filesystem"));
        check(differences, what + " Paths", now, new TreeSet<>(List.of((String[]) remote.getAttribute(registered,
                "Paths"))));
        return Set.of(registered);
    }

    /** Differences between {@code daxguard status --json} and the truth. */
    List<String> status(ChildAgent.CommandResult result) throws Exception {
        List<String> differences = new ArrayList<>();
        boolean damaged = filesystems.stream().anyMatch(fs -> !health(fs.uuid()).equals("ONLINE"));
        check(differences, "status --json exit code (" + result.err().strip() + ")", damaged ? 5 : 0, result.exitCode());
        if (result.out().isBlank()) {
            return differences;
        }
        JsonNode document = new ObjectMapper().readTree(result.out());
        check(differences, "status --json damageRecords", (long) expected.size(),
                document.path("damageRecords").asLong(-1));
        Map<String, JsonNode> byUuid = new TreeMap<>();
        document.path("filesystems").forEach(fs -> byUuid.put(fs.path("uuid").asText(), fs));
        check(differences, "status --json filesystems (uuids)",
                filesystems.stream().map(CurrentFilesystem::uuid).collect(Collectors.toCollection(TreeSet::new)),
                byUuid.keySet());
        for (CurrentFilesystem fs : filesystems) {
            JsonNode shown = byUuid.get(fs.uuid());
            if (shown == null) {
                continue;
            }
            String what = "status --json " + fs.uuid();
            check(differences, what + " mountPoint", fs.mountPoint().toString(), shown.path("mountPoint").asText());
            check(differences, what + " device", fs.deviceName(), 
                    Path.of(shown.path("device").asText().split(" ")[0]).getFileName().toString()); // "/dev/loop3 (7:3)"
            check(differences, what + " health", health(fs.uuid()), shown.path("health").asText());
            check(differences, what + " freeSpaceDamageBytes", freeBytes(fs.uuid()),
                    shown.path("freeSpaceDamageBytes").asLong(-1));
            Set<Long> files = new TreeSet<>();
            Set<String> paths = new TreeSet<>();
            shown.path("damagedFiles").forEach(file -> {
                files.add(file.path("inode").asLong());
                paths.add(file.path("path").asText());
            });
            check(differences, what + " damagedFiles inodes", openFiles(fs.uuid()), files);
            for (String path : paths) {
                if (names.entrySet().stream().filter(entry -> entry.getKey().startsWith(fs.uuid() + "/"))
                        .noneMatch(entry -> entry.getValue().contains(path))) {
                    differences.add(what + " lists a damaged file as " + path + ", which is no name of any damaged "
                            + "file now");
                }
            }
        }
        return differences;
    }

    /** Differences between the Device MBeans and the truth: damage of gone filesystems, listed and nothing else. */
    List<String> devices(MBeanServerConnection remote, Path stateDirectory, Set<String> deviceNames) throws Exception {
        List<String> differences = new ArrayList<>();
        List<LedgerFile.Row> rows = LedgerFile.read(stateDirectory);
        for (String device : deviceNames) {
            ObjectName name = ObjectNames.device(device);
            if (!remote.isRegistered(name)) {
                differences.add("Device MBean " + device + " is not registered");
                continue;
            }
            Set<String> wantGone = new TreeSet<>();
            for (ExpectedRecord want : expected) {
                if (want.device().equals(device) && want.state().equals("FILESYSTEM_GONE")) {
                    wantGone.add(want.label());
                }
            }
            Set<String> haveGone = new TreeSet<>();
            for (CompositeData range : (CompositeData[]) remote.getAttribute(name, "GoneFilesystemDamage")) {
                long id = (Long) range.get("recordId");
                haveGone.add(rows.stream().filter(row -> row.id() == id).findFirst().map(this::labelOf)
                        .orElse("record " + id + " (not in the ledger file)"));
            }
            check(differences, "Device MBean " + device + " GoneFilesystemDamage", wantGone, haveGone);
            check(differences, "Device MBean " + device + " UnownedDamage", 0,
                    ((CompositeData[]) remote.getAttribute(name, "UnownedDamage")).length);
        }
        return differences;
    }

    private String labelOf(LedgerFile.Row row) {
        return expected.stream().filter(want -> want.key().equals(row.key())).map(ExpectedRecord::label).findFirst()
                .orElse("unexpected " + row);
    }

    /** The filesystem with this UUID on one of the appliance's devices now, or null. */
    private CurrentFilesystem current(String uuid) {
        return filesystems.stream().filter(fs -> fs.uuid().equals(uuid)).findFirst().orElse(null);
    }

    private List<ExpectedRecord> open(String uuid) {
        return expected.stream().filter(record -> record.open() && record.uuid().equals(uuid)).toList();
    }

    Set<Long> openFiles(String uuid) {
        return open(uuid).stream().filter(record -> record.owner().isFile()).map(record -> record.owner().inode())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private long freeBytes(String uuid) {
        return open(uuid).stream().filter(record -> record.owner().kind().equals("FREE"))
                .mapToLong(record -> ExpectedRecord.LENGTH).sum();
    }

    private List<String> structures(String uuid) {
        return open(uuid).stream().filter(record -> record.owner().kind().equals("METADATA"))
                .map(record -> record.owner().structure()).sorted().toList();
    }

    String health(String uuid) {
        List<ExpectedRecord> open = open(uuid);
        return open.stream().anyMatch(record -> record.owner().kind().equals("METADATA")) ? "UNHEALTHY"
                : open.stream().anyMatch(record -> record.owner().isFile()) ? "DEGRADED" : "ONLINE";
    }

    private static List<String> sorted(CompositeData[] rows, String field) {
        List<String> values = new ArrayList<>();
        for (CompositeData row : rows) {
            values.add(String.valueOf(row.get(field)));
        }
        values.sort(null);
        return values;
    }

    private static Set<Long> openInodes(CompositeData[] rows) {
        Set<Long> inodes = new TreeSet<>();
        for (CompositeData row : rows) {
            if ("OPEN".equals(row.get("state"))) {
                inodes.add((Long) row.get("inode"));
            }
        }
        return inodes;
    }

    private static void check(List<String> differences, String what, Object want, Object have) {
        if (!Objects.equals(normal(want), normal(have))) {
            differences.add(what + ": expected " + want + " but was " + have);
        }
    }

    /** Numbers compared by value whatever their boxed type (JMX answers int or long). */
    private static Object normal(Object value) {
        return value instanceof Integer || value instanceof Long || value instanceof Short ? ((Number) value).longValue()
                : value;
    }

    /** One comparison of every view that can be read now with the truth: the ledger file always, the agent's when it runs. */
    record Check(Views views, Path stateDirectory, ChildAgent agent) {
        List<String> ledgerOnly() throws Exception {
            return views.ledger(stateDirectory);
        }

        List<String> all() throws Exception {
            List<String> differences = new ArrayList<>(views.ledger(stateDirectory));
            if (agent != null) {
                MBeanServerConnection remote = agent.remote();
                differences.addAll(views.mbeans(remote));
                Set<String> devices = new TreeSet<>();
                views.filesystems.forEach(fs -> devices.add(fs.deviceName()));
                views.expected.forEach(record -> devices.add(record.device()));
                differences.addAll(views.devices(remote, stateDirectory, devices));
                differences.addAll(views.status(agent.cli("status", "--json")));
            }
            return differences;
        }
    }
}
