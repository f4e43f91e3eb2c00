package io.daxguard.testkit.conformance;

import io.daxguard.testkit.Command;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Facts from the kernel's reverse map as {@code xfs_io -c "fsmap -m"} prints it ({@code FS_IOC_GETFSMAP}, on any
 * filesystem that has it: XFS, ext4): free space and the filesystem's special owners, read by a tool independent of
 * the plugin under test.
 */
public final class XfsIoFsmap {
    /** Special owners that are not metadata: free, unknown, XFS CoW staging, XFS defective blocks. */
    private static final Set<String> NOT_METADATA = Set.of("special_0:1", "special_0:2", "special_88:7",
            "special_88:8");

    private XfsIoFsmap() {
    }

    /** Free ranges and special-owner (metadata) ranges. */
    public static FilesystemFacts facts(ConformanceFilesystem fs) throws IOException {
        List<KnownRange> metadata = new ArrayList<>();
        List<KnownRange> free = new ArrayList<>();
        for (Record record : records(fs)) {
            if (record.owner().equals("special_0:1")) {
                free.add(record.range());
            } else if (record.owner().startsWith("special_") && !NOT_METADATA.contains(record.owner())) {
                metadata.add(record.range());
            }
        }
        return new FilesystemFacts(metadata, free);
    }

    /** The free ranges alone. */
    public static List<KnownRange> free(ConformanceFilesystem fs) throws IOException {
        return records(fs).stream().filter(r -> r.owner().equals("special_0:1")).map(Record::range).toList();
    }

    private record Record(KnownRange range, String owner) {
    }

    private static List<Record> records(ConformanceFilesystem fs) throws IOException {
        List<Record> records = new ArrayList<>();
        for (String line : Command.run("xfs_io", "-c", "fsmap -m", fs.mountPoint().toString()).split("\n")) {
            String[] fields = line.split(",");
            if (fields.length < 6 || fields[0].equals("EXT")) {
                continue;
            }
            long start = Long.parseLong(fields[3]) * 512; // 512-byte units, last one inclusive
            long end = (Long.parseLong(fields[4]) + 1) * 512;
            records.add(new Record(new KnownRange(start, end - start, "xfs_io fsmap: " + fields[5]), fields[5]));
        }
        return records;
    }
}
