package io.daxguard.agent.recovery;

import io.daxguard.spi.LinuxPath;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One name of a quarantined file, as the quarantine's audit entry keeps it for the release: the path it had, the
 * identity (inode, generation) of the directory it was in, and its name in the quarantine directory.
 *
 * <p>The audit entry is text an operator reads; each name is written there quoted,
 * {@code "/a/x" (directory inode 128, generation 5) to "/.daxguard-quarantine/12-3-x"}. A quoted name is its
 * display form ({@link LinuxPath#display()}: no control character) with {@code "} written as {@code \x22}, which
 * {@link LinuxPath#fromDisplay} reads back as the same byte; so no name can close its quotes, and the entry is
 * read back exactly whatever the names are.
 *
 * @param original            the path it had, from the mount point, display form ({@code /a/x})
 * @param directoryInode      the inode of the directory it was in
 * @param directoryGeneration that directory's generation
 * @param quarantined         its name inside the quarantine directory, display form
 */
record QuarantinedName(String original, long directoryInode, long directoryGeneration, String quarantined) {
    private static final Pattern WRITTEN = Pattern.compile("\"([^\"]*)\" \\(directory inode (\\d+), generation (\\d+)\\) "
            + "to \"/" + Pattern.quote(Quarantine.DIRECTORY) + "/([^\"/]*)\"");

    /** How the audit entry says it. */
    String written() {
        return quoted(original) + " (directory inode " + directoryInode + ", generation " + directoryGeneration
                + ") to " + quoted("/" + Quarantine.DIRECTORY + "/" + quarantined);
    }

    /** The path this name has in the quarantine directory, from the mount point. */
    String quarantinedPath() {
        return "/" + Quarantine.DIRECTORY + "/" + quarantined;
    }

    /** The names a quarantine's audit result lists, in its order; none for an entry written before they were kept. */
    static List<QuarantinedName> readFrom(String result) {
        List<QuarantinedName> names = new ArrayList<>();
        Matcher matcher = WRITTEN.matcher(result);
        while (matcher.find()) {
            names.add(new QuarantinedName(unquoted(matcher.group(1)), Long.parseLong(matcher.group(2)),
                    Long.parseLong(matcher.group(3)), unquoted(matcher.group(4))));
        }
        return names;
    }

    static String quoted(String display) {
        return "\"" + display.replace("\"", "\\x22") + "\"";
    }

    private static String unquoted(String quoted) {
        return LinuxPath.fromDisplay(quoted).display();
    }
}
