package io.daxguard.agent.lifetime;

import io.daxguard.testkit.Command;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the filesystems themselves say, asked with their own tools and never through daxguard: who owns a sector
 * ({@code xfs_io fsmap}; {@code dumpe2fs} and {@code debugfs icheck}), where a file's bytes are ({@code filefrag}),
 * a file's inode and names ({@code stat}, {@code find -inum}), a device's filesystem UUID ({@code blkid -p}) and
 * where it is mounted ({@code findmnt}).
 */
final class GroundTruth {
    private static final Pattern XFS_FSMAP = Pattern.compile("^\\s*\\d+: \\S+ \\[(\\d+)\\.\\.(\\d+)\\]: (.*?)\\s+\\d+$");
    private static final Pattern XFS_FILE = Pattern.compile("inode (\\d+) data .*");
    private static final Pattern EXT4_RANGE = Pattern.compile("(\\d+)(?:-(\\d+))?");

    private GroundTruth() {
    }

    /** The UUID in the superblock on {@code device} now (probed, not from blkid's cache). */
    static String uuid(Path device) throws IOException {
        return Command.run("blkid", "-p", "-s", "UUID", "-o", "value", device.toString()).strip();
    }

    /** Where {@code device} is mounted now, or null. */
    static Path mountPointOf(Path device) throws IOException {
        String target = Command.tryRun("findmnt", "-n", "-o", "TARGET", "--source", device.toString()).stdout().strip();
        return target.isEmpty() ? null : Path.of(target.lines().findFirst().orElseThrow());
    }

    static long inode(Path file) throws IOException {
        return Long.parseLong(Command.run("stat", "-c", "%i", file.toString()).strip());
    }

    /** Every name of inode {@code inode} in the filesystem mounted at {@code mountPoint}, relative to it ("/a"). */
    static Set<String> namesOf(Path mountPoint, long inode) throws IOException {
        Set<String> names = new TreeSet<>();
        for (String line : Command.run("find", mountPoint.toString(), "-xdev", "-inum", String.valueOf(inode))
                .split("\n")) {
            if (!line.isBlank()) {
                names.add("/" + mountPoint.relativize(Path.of(line)));
            }
        }
        return names;
    }

    /** The device sector (512 bytes) where byte {@code fileOffset} of {@code file} is, from {@code filefrag}. */
    static long sectorOf(Path file, long fileOffset) throws IOException {
        Command.run("sync");
        long wanted = fileOffset / 512;
        for (String line : Command.run("filefrag", "-v", "-b512", file.toString()).split("\n")) {
            Matcher extent = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\.\\.\\s*(\\d+):\\s+(\\d+)\\.\\.\\s*(\\d+):").matcher(line);
            if (extent.find() && Long.parseLong(extent.group(1)) <= wanted && wanted <= Long.parseLong(extent.group(2))) {
                return Long.parseLong(extent.group(3)) + wanted - Long.parseLong(extent.group(1));
            }
        }
        throw new IOException("filefrag shows no extent at byte " + fileOffset + " of " + file);
    }

    /** Who owns {@code sector} of the XFS mounted at {@code mountPoint}, from its reverse map ({@code xfs_io fsmap}). */
    static Owner xfsOwner(Path mountPoint, long sector) throws IOException {
        for (String line : Command.run("xfs_io", "-c", "fsmap -d", mountPoint.toString()).split("\n")) {
            Matcher record = XFS_FSMAP.matcher(line);
            if (record.matches() && Long.parseLong(record.group(1)) <= sector && sector <= Long.parseLong(record.group(2))) {
                String owner = record.group(3);
                Matcher file = XFS_FILE.matcher(owner);
                return file.matches() ? Owner.file(Long.parseLong(file.group(1)))
                        : owner.equals("free space") ? Owner.free() : Owner.metadata(xfsStructure(owner));
            }
        }
        throw new IOException("xfs_io fsmap of " + mountPoint + " says nothing of sector " + sector);
    }

    private static String xfsStructure(String fsmapOwner) {
        return switch (fsmapOwner) {
            case "static fs metadata" -> "xfs.static";
            case "per-AG metadata" -> "xfs.ag-metadata";
            case "journalling log" -> "xfs.log";
            case "inode btree" -> "xfs.inobt";
            case "inodes" -> "xfs.inodes";
            case "refcount btree" -> "xfs.refcountbt";
            default -> "xfs_io: " + fsmapOwner;
        };
    }

    /** The first sector of allocation group {@code ag} of the XFS on {@code device}: its superblock. */
    static long xfsAgSuperblockSector(Path device, int ag) throws IOException {
        String out = Command.run("xfs_db", "-r", "-c", "sb 0", "-c", "p agblocks blocksize", device.toString());
        long agblocks = Long.parseLong(field(out, "agblocks"));
        long blocksize = Long.parseLong(field(out, "blocksize"));
        return ag * agblocks * blocksize / 512;
    }

    /** A sector in the middle of the longest free extent the XFS at {@code mountPoint} has. */
    static long xfsFreeSector(Path mountPoint) throws IOException {
        long best = -1;
        long bestLength = 0;
        for (String line : Command.run("xfs_io", "-c", "fsmap -d", mountPoint.toString()).split("\n")) {
            Matcher record = XFS_FSMAP.matcher(line);
            if (record.matches() && record.group(3).equals("free space")) {
                long start = Long.parseLong(record.group(1));
                long length = Long.parseLong(record.group(2)) - start + 1;
                if (length > bestLength) {
                    best = start + length / 2;
                    bestLength = length;
                }
            }
        }
        return best;
    }

    /** Who owns {@code sector} of the ext4 on {@code device}: its group layout ({@code dumpe2fs}), else {@code debugfs}. */
    static Owner ext4Owner(Path device, long sector) throws IOException {
        Command.run("sync");
        String layout = Command.run("dumpe2fs", device.toString());
        long blockSize = Long.parseLong(field(layout, "Block size"));
        long block = sector * 512 / blockSize;
        for (String line : layout.substring(layout.indexOf("Group 0:")).split("\n")) { // not the header's counts
            String text = line.strip();
            if (text.startsWith("Inode table at ") && inRanges(text.substring("Inode table at ".length()).split(" ")[0], block)) {
                return Owner.metadata("ext4.inode_table");
            }
            if (text.startsWith("Free blocks: ") && inRanges(text.substring("Free blocks: ".length()), block)) {
                return Owner.free();
            }
        }
        String icheck = Command.run("debugfs", "-R", "icheck " + block, device.toString());
        Matcher owner = Pattern.compile("^" + block + "\\s+(\\d+)$", Pattern.MULTILINE).matcher(icheck);
        if (owner.find()) {
            return Owner.file(Long.parseLong(owner.group(1)));
        }
        throw new IOException("neither dumpe2fs nor debugfs icheck name the owner of block " + block + " on " + device
                + ": " + icheck);
    }

    /** A sector of group {@code group}'s inode table, some blocks in, on the ext4 on {@code device}. */
    static long ext4InodeTableSector(Path device, int group) throws IOException {
        String layout = Command.run("dumpe2fs", device.toString());
        long blockSize = Long.parseLong(field(layout, "Block size"));
        String section = layout.substring(layout.indexOf("Group " + group + ":"));
        Matcher table = Pattern.compile("Inode table at (\\d+)-(\\d+)").matcher(section);
        if (!table.find()) {
            throw new IOException("dumpe2fs shows no inode table of group " + group);
        }
        return (Long.parseLong(table.group(1)) + 10) * blockSize / 512;
    }

    /** A sector of a free block in group {@code group} of the ext4 on {@code device}, past its first free ones. */
    static long ext4FreeSector(Path device, int group) throws IOException {
        String layout = Command.run("dumpe2fs", device.toString());
        long blockSize = Long.parseLong(field(layout, "Block size"));
        String section = layout.substring(layout.indexOf("Group " + group + ":"));
        Matcher free = Pattern.compile("Free blocks: (\\d+)-(\\d+)").matcher(section);
        if (!free.find()) {
            throw new IOException("dumpe2fs shows no free run in group " + group);
        }
        long first = Long.parseLong(free.group(1));
        long last = Long.parseLong(free.group(2));
        return (first + (last - first) / 2) * blockSize / 512;
    }

    private static boolean inRanges(String ranges, long block) {
        Matcher range = EXT4_RANGE.matcher(ranges);
        while (range.find()) {
            long first = Long.parseLong(range.group(1));
            long last = range.group(2) == null ? first : Long.parseLong(range.group(2));
            if (first <= block && block <= last) {
                return true;
            }
        }
        return false;
    }

    private static String field(String text, String name) throws IOException {
        Matcher value = Pattern.compile("^" + Pattern.quote(name) + "\\s*[:=]\\s*(\\S+)", Pattern.MULTILINE).matcher(text);
        if (!value.find()) {
            throw new IOException("no " + name + " in: " + text);
        }
        return value.group(1);
    }
}
