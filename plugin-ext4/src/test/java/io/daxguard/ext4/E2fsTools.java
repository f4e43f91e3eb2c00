package io.daxguard.ext4;

import io.daxguard.testkit.Command;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The e2fsprogs view of an image, independent of daxguard: what {@code dumpe2fs}, {@code debugfs icheck},
 * {@code ncheck} and {@code stat} say. Run them on a frozen filesystem ({@link #frozen}) so the device holds
 * every committed change and nothing is left only in the journal.
 */
final class E2fsTools {
    private E2fsTools() {
    }

    /** Runs {@code work} with the filesystem frozen ({@code fsfreeze}), always thawing it. */
    static <T> T frozen(Path mountPoint, IoSupplier<T> work) throws IOException {
        Command.run("fsfreeze", "--freeze", mountPoint.toString());
        try {
            return work.get();
        } finally {
            Command.run("fsfreeze", "--unfreeze", mountPoint.toString());
        }
    }

    @FunctionalInterface
    interface IoSupplier<T> {
        T get() throws IOException;
    }

    /** {@code debugfs -R "icheck b..."}: block to inode, for the blocks some inode owns. */
    static Map<Long, Long> icheck(Path device, Collection<Long> blocks) throws IOException {
        Map<Long, Long> owners = new HashMap<>();
        List<Long> all = new ArrayList<>(blocks);
        for (int from = 0; from < all.size(); from += 200) {
            StringBuilder request = new StringBuilder("icheck");
            for (long block : all.subList(from, Math.min(all.size(), from + 200))) {
                request.append(' ').append(block);
            }
            for (String line : debugfs(device, request.toString()).split("\n")) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length == 2 && fields[0].matches("\\d+") && fields[1].matches("\\d+")) {
                    owners.put(Long.parseLong(fields[0]), Long.parseLong(fields[1]));
                }
            }
        }
        return owners;
    }

    /** {@code debugfs -R "ncheck -c i..."}: every path of each inode, relative to the root, no leading slash. */
    static Map<Long, Set<String>> ncheck(Path device, Collection<Long> inodes) throws IOException {
        Map<Long, Set<String>> paths = new HashMap<>();
        if (inodes.isEmpty()) {
            return paths;
        }
        StringBuilder request = new StringBuilder("ncheck -c");
        inodes.forEach(inode -> request.append(' ').append(inode));
        for (String line : debugfs(device, request.toString()).split("\n")) {
            int tab = line.indexOf('\t');
            if (tab > 0 && line.substring(0, tab).trim().matches("\\d+")) {
                String path = line.substring(tab + 1).replaceAll("/+", "/").replaceFirst("^/", "");
                paths.computeIfAbsent(Long.parseLong(line.substring(0, tab).trim()), k -> new HashSet<>()).add(path);
            }
        }
        return paths;
    }

    /**
     * The block-map blocks of an inode: extent-tree blocks ({@code (ETBn):block} in {@code debugfs stat}) or,
     * for a block-mapped file, indirect blocks ({@code (IND)}, {@code (DIND)}, {@code (TIND)}).
     */
    static List<Long> extentTreeBlocks(Path device, long inode) throws IOException {
        List<Long> blocks = new ArrayList<>();
        Matcher matcher = Pattern.compile("\\((?:ETB\\d+|IND|DIND|TIND)\\):(\\d+)")
                .matcher(debugfs(device, "stat <" + inode + ">"));
        while (matcher.find()) {
            blocks.add(Long.parseLong(matcher.group(1)));
        }
        return blocks;
    }

    /** {@code debugfs blocks}: the data blocks of a path (relative to the filesystem root). */
    static List<Long> dataBlocks(Path device, String path) throws IOException {
        List<Long> blocks = new ArrayList<>();
        for (String field : debugfs(device, "blocks /" + path).trim().split("\\s+")) {
            if (field.matches("\\d+")) {
                blocks.add(Long.parseLong(field));
            }
        }
        return blocks;
    }

    /** The xattr block ({@code File ACL}) of an inode, 0 if none. */
    static long xattrBlock(Path device, long inode) throws IOException {
        Matcher matcher = Pattern.compile("File ACL: (\\d+)").matcher(debugfs(device, "stat <" + inode + ">"));
        return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
    }

    /** The journal's blocks as debugfs sees inode 8: the first block of its first extent. */
    static long firstJournalBlock(Path device) throws IOException {
        Matcher matcher = Pattern.compile("\\(0-\\d+\\):(\\d+)").matcher(debugfs(device, "stat <8>"));
        if (!matcher.find()) {
            throw new IOException("no journal extent in debugfs stat <8>");
        }
        return Long.parseLong(matcher.group(1));
    }

    /** A line of group 0 of {@code dumpe2fs}, for example {@code "Block bitmap at 41"} gives 41. */
    static long groupZeroBlock(Path device, String label) throws IOException {
        String dump = Command.run("dumpe2fs", device.toString());
        Matcher matcher = Pattern.compile(Pattern.quote(label) + " at (\\d+)").matcher(dump);
        if (!matcher.find()) {
            throw new IOException("dumpe2fs has no \"" + label + " at\"");
        }
        return Long.parseLong(matcher.group(1));
    }

    /**
     * A free block from dumpe2fs's per-group "Free blocks:" lists (items "a-b" or "a", comma-separated; a group's
     * list may start with single blocks): the middle of the last range listed, or the last single block.
     */
    static long aFreeBlock(Path device) throws IOException {
        String dump = Command.run("dumpe2fs", device.toString());
        Matcher list = Pattern.compile("(?m)^\\s+Free blocks: (.+)$").matcher(dump);
        long free = -1;
        while (list.find()) {
            for (String item : list.group(1).split(",\\s*")) {
                String[] bounds = item.trim().split("-");
                free = bounds.length == 2 ? (Long.parseLong(bounds[0]) + Long.parseLong(bounds[1])) / 2
                        : Long.parseLong(bounds[0]);
            }
        }
        if (free < 0) {
            throw new IOException("dumpe2fs lists no free block: " + dump.substring(Math.max(0, dump.length() - 1500)));
        }
        return free;
    }

    private static String debugfs(Path device, String request) throws IOException {
        return Command.run("debugfs", "-R", request, device.toString());
    }
}
