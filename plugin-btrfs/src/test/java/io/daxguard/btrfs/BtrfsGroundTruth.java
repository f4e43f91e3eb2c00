package io.daxguard.btrfs;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.conformance.FilesystemFacts;
import io.daxguard.testkit.conformance.KnownRange;
import io.daxguard.testkit.conformance.Placement;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What btrfs-progs say of a mounted btrfs, for the conformance suite, never asking the plugin: the members
 * ({@code btrfs filesystem show}), the chunk map ({@code dump-tree -t chunk}), each member's device extents
 * ({@code dump-tree -t dev}), the extent tree's data extents and tree blocks ({@code dump-tree -t extent}) and the
 * superblock copies ({@code dump-super -a}). Read after a {@code syncfs}, so the on-disk trees are the kernel's.
 */
final class BtrfsGroundTruth {
    /** btrfs allocates no device extent in a device's first MiB (it holds the boot area and first superblock). */
    private static final long RESERVED_START = 1L << 20;
    private static final int SUPERBLOCK_SIZE = 4096;
    private static final Pattern MEMBER = Pattern.compile("(?m)^\\s*devid\\s+(\\d+) size (\\d+) used \\d+ path (\\S+)$");
    private static final Pattern CHUNK = Pattern.compile(
            "CHUNK_ITEM (\\d+)\\) itemoff \\d+ itemsize \\d+\\n\\s*length (\\d+) owner \\d+ stripe_len \\d+ type (\\S+)"
                    + "[\\s\\S]*?num_stripes (\\d+) sub_stripes \\d+((?:\\n\\s*stripe \\d+ devid \\d+ offset \\d+"
                    + "\\n\\s*dev_uuid \\S+)+)");
    private static final Pattern STRIPE = Pattern.compile("stripe \\d+ devid (\\d+) offset (\\d+)");
    private static final Pattern DEV_EXTENT = Pattern.compile("key \\((\\d+) DEV_EXTENT (\\d+)\\)[^\\n]*\\n[^\\n]*\\n"
            + "\\s*chunk_objectid \\d+ chunk_offset \\d+ length (\\d+)");
    private static final Pattern EXTENT_ITEM = Pattern.compile("key \\((\\d+) (EXTENT_ITEM|METADATA_ITEM) (\\d+)\\)");
    private static final Pattern SUPER_COPY = Pattern.compile("(?m)^superblock: bytenr=(\\d+), device=(\\S+)$");
    private static final Pattern NODE_SIZE = Pattern.compile("(?m)^nodesize\\s+(\\d+)$");

    /** A member device as {@code btrfs filesystem show} names it. */
    record Member(long devid, long size, Path path, DeviceNumber device) {
    }

    /** A chunk of the logical address space and where each of its stripes lies. */
    record Chunk(long logical, long length, String type, List<long[]> stripes) {
        boolean holds(long address) {
            return logical <= address && address < logical + length;
        }

        boolean isData() {
            return type.startsWith("DATA");
        }

        /** Whether every stripe is a whole copy (single, DUP, raid1*), the only profiles these tests place. */
        boolean isMirrored() {
            String profile = type.substring(type.indexOf('|') + 1);
            return type.indexOf('|') < 0 || profile.equals("single") || profile.equals("DUP")
                    || profile.startsWith("RAID1");
        }
    }

    private final Path mountPoint;
    private List<Chunk> chunks = List.of();

    BtrfsGroundTruth(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    /** Every member now, by devid. */
    List<Member> members() throws IOException {
        List<Member> members = new ArrayList<>();
        Matcher m = MEMBER.matcher(Command.run("btrfs", "filesystem", "show", "--raw", mountPoint.toString()));
        while (m.find()) {
            Path path = Path.of(m.group(3));
            members.add(new Member(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), path,
                    FileStatus.ofPath(path).rdev()));
        }
        if (members.isEmpty()) {
            throw new IOException("btrfs filesystem show names no device of " + mountPoint);
        }
        return members;
    }

    Member member(DeviceNumber device) throws IOException {
        for (Member member : members()) {
            if (member.device().equals(device)) {
                return member;
            }
        }
        throw new IOException(device + " is no member of the btrfs at " + mountPoint + ": " + members());
    }

    /**
     * Where a run of logical addresses (FIEMAP's physical) lies: one placement per stripe of its chunk. The chunk
     * map is read once and again only when an address lies in no chunk known (the suite never balances).
     */
    synchronized List<Placement> placementsOf(long logical, long length) throws IOException {
        Chunk chunk = chunkHolding(logical);
        if (chunk == null) {
            chunks = readChunks();
            chunk = chunkHolding(logical);
        }
        if (chunk == null || !chunk.holds(logical + length - 1)) {
            throw new IOException("no chunk of the btrfs at " + mountPoint + " holds [" + logical + ", "
                    + (logical + length) + ") whole: " + chunks);
        }
        if (!chunk.isMirrored()) {
            throw new IOException("chunk " + chunk.logical() + " is " + chunk.type() + ": these tests place only"
                    + " single, DUP and raid1 stripes");
        }
        Map<Long, DeviceNumber> devices = new LinkedHashMap<>();
        for (Member member : members()) {
            devices.put(member.devid(), member.device());
        }
        List<Placement> placements = new ArrayList<>();
        for (long[] stripe : chunk.stripes()) {
            placements.add(new Placement(devices.get(stripe[0]), logical, stripe[1] + (logical - chunk.logical()),
                    length));
        }
        return placements;
    }

    private Chunk chunkHolding(long logical) {
        for (Chunk chunk : chunks) {
            if (chunk.holds(logical)) {
                return chunk;
            }
        }
        return null;
    }

    private List<Chunk> readChunks() throws IOException {
        List<Chunk> read = new ArrayList<>();
        Matcher m = CHUNK.matcher(dumpTree("chunk"));
        while (m.find()) {
            List<long[]> stripes = new ArrayList<>();
            Matcher stripe = STRIPE.matcher(m.group(5));
            while (stripe.find()) {
                stripes.add(new long[] {Long.parseLong(stripe.group(1)), Long.parseLong(stripe.group(2))});
            }
            if (stripes.size() != Integer.parseInt(m.group(4))) {
                throw new IOException("chunk " + m.group(1) + " names " + m.group(4) + " stripes, read "
                        + stripes.size());
            }
            read.add(new Chunk(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), m.group(3), stripes));
        }
        if (read.isEmpty()) {
            throw new IOException("dump-tree -t chunk of " + mountPoint + " names no chunk");
        }
        return read;
    }

    private String dumpTree(String tree) throws IOException {
        return Command.run("btrfs", "inspect-internal", "dump-tree", "-t", tree, members().get(0).path().toString());
    }

    /**
     * The facts of one member in its offsets: metadata = the superblock copies on it and every tree block's copy on
     * it (extent tree METADATA_ITEMs); free = its space in no device extent (past the reserved first MiB), and the
     * bytes of its data chunks' stripes no extent item covers; superblock copies cut out of both free kinds (btrfs
     * never allocates over them, but its trees do not say so).
     */
    FilesystemFacts facts(DeviceNumber device) throws IOException {
        Member member = member(device);
        chunks = readChunks();
        List<KnownRange> superblocks = superblocks(member);
        List<KnownRange> metadata = new ArrayList<>(superblocks);
        List<long[]> dataExtents = new ArrayList<>();
        String extentTree = dumpTree("extent");
        long nodeSize = nodeSize(member);
        Matcher item = EXTENT_ITEM.matcher(extentTree);
        while (item.find()) {
            long logical = Long.parseLong(item.group(1));
            if (item.group(2).equals("METADATA_ITEM")) {
                for (long[] copy : onMember(member, logical, nodeSize)) {
                    metadata.add(new KnownRange(copy[0], nodeSize, "dump-tree -t extent: tree block " + logical));
                }
            } else {
                dataExtents.add(new long[] {logical, Long.parseLong(item.group(3))});
            }
        }
        if (metadata.size() == superblocks.size()) {
            throw new IOException("dump-tree -t extent named no tree block on devid " + member.devid()
                    + " (has its output changed?):\n" + extentTree);
        }
        List<KnownRange> free = new ArrayList<>();
        free.addAll(unallocated(member));
        free.addAll(freeInDataChunks(member, dataExtents));
        return new FilesystemFacts(metadata, cutOut(free, superblocks));
    }

    private long nodeSize(Member member) throws IOException {
        Matcher m = NODE_SIZE.matcher(Command.run("btrfs", "inspect-internal", "dump-super",
                member.path().toString()));
        if (!m.find()) {
            throw new IOException("dump-super of " + member.path() + " names no nodesize");
        }
        return Long.parseLong(m.group(1));
    }

    /** The superblock copies {@code dump-super -a} finds on the member. */
    private static List<KnownRange> superblocks(Member member) throws IOException {
        List<KnownRange> copies = new ArrayList<>();
        Matcher m = SUPER_COPY.matcher(Command.run("btrfs", "inspect-internal", "dump-super", "-a",
                member.path().toString()));
        while (m.find()) {
            long at = Long.parseLong(m.group(1));
            if (at + SUPERBLOCK_SIZE <= member.size()) {
                copies.add(new KnownRange(at, SUPERBLOCK_SIZE, "dump-super -a: superblock copy at " + at));
            }
        }
        if (copies.isEmpty()) {
            throw new IOException("dump-super -a found no superblock on " + member.path());
        }
        return copies;
    }

    /** The member offsets of the copies of {@code [logical, logical + length)} on {@code member}. */
    private List<long[]> onMember(Member member, long logical, long length) {
        List<long[]> copies = new ArrayList<>();
        Chunk chunk = chunkHolding(logical);
        if (chunk == null || !chunk.isMirrored()) {
            return copies;
        }
        for (long[] stripe : chunk.stripes()) {
            if (stripe[0] == member.devid()) {
                copies.add(new long[] {stripe[1] + (logical - chunk.logical()), length});
            }
        }
        return copies;
    }

    /** The member's bytes in no device extent ({@code dump-tree -t dev}), from its first MiB on. */
    private List<KnownRange> unallocated(Member member) throws IOException {
        List<long[]> extents = new ArrayList<>();
        Matcher m = DEV_EXTENT.matcher(dumpTree("dev"));
        while (m.find()) {
            if (Long.parseLong(m.group(1)) == member.devid()) {
                extents.add(new long[] {Long.parseLong(m.group(2)), Long.parseLong(m.group(3))});
            }
        }
        extents.sort(Comparator.comparingLong(extent -> extent[0]));
        List<KnownRange> free = new ArrayList<>();
        long at = RESERVED_START;
        for (long[] extent : extents) {
            if (extent[0] > at) {
                free.add(new KnownRange(at, extent[0] - at, "dump-tree -t dev: in no device extent of devid "
                        + member.devid()));
            }
            at = Math.max(at, extent[0] + extent[1]);
        }
        if (member.size() > at) {
            free.add(new KnownRange(at, member.size() - at, "dump-tree -t dev: after the last device extent of devid "
                    + member.devid()));
        }
        return free;
    }

    /** The bytes of the member's data stripes no EXTENT_ITEM covers ({@code dump-tree -t extent}). */
    private List<KnownRange> freeInDataChunks(Member member, List<long[]> dataExtents) {
        List<KnownRange> free = new ArrayList<>();
        dataExtents.sort(Comparator.comparingLong(extent -> extent[0]));
        for (Chunk chunk : chunks) {
            if (!chunk.isData() || !chunk.isMirrored()) {
                continue;
            }
            long at = chunk.logical();
            long end = chunk.logical() + chunk.length();
            List<long[]> gaps = new ArrayList<>();
            for (long[] extent : dataExtents) {
                if (extent[0] + extent[1] <= at || extent[0] >= end) {
                    continue;
                }
                if (extent[0] > at) {
                    gaps.add(new long[] {at, extent[0] - at});
                }
                at = Math.max(at, extent[0] + extent[1]);
            }
            if (end > at) {
                gaps.add(new long[] {at, end - at});
            }
            for (long[] gap : gaps) {
                for (long[] copy : onMember(member, gap[0], gap[1])) {
                    free.add(new KnownRange(copy[0], copy[1], "dump-tree -t extent: no extent item in data chunk "
                            + chunk.logical() + " at logical " + gap[0]));
                }
            }
        }
        return free;
    }

    /** {@code ranges} without the bytes of {@code holes}. */
    private static List<KnownRange> cutOut(List<KnownRange> ranges, List<KnownRange> holes) {
        List<KnownRange> result = new ArrayList<>(ranges);
        for (KnownRange hole : holes) {
            List<KnownRange> next = new ArrayList<>();
            for (KnownRange range : result) {
                if (!range.overlaps(hole.offset(), hole.end())) {
                    next.add(range);
                    continue;
                }
                if (range.offset() < hole.offset()) {
                    next.add(new KnownRange(range.offset(), hole.offset() - range.offset(), range.source()));
                }
                if (range.end() > hole.end()) {
                    next.add(new KnownRange(hole.end(), range.end() - hole.end(), range.source()));
                }
            }
            result = next;
        }
        return result;
    }
}
