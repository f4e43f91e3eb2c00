package io.daxguard.agent.jmx;

import io.daxguard.agent.jmx.Description.Impact;
import java.util.List;

@Description("A file with damaged ranges: where, since when, shared with whom; and how to repair it. Every repair "
        + "first checks that the path still leads to the same inode and generation, and is recorded in History")
public interface DamagedFileMXBean {

    @Description("Mount point of the filesystem holding the file")
    String getFilesystem();

    @Description("Filesystem UUID")
    String getFilesystemUuid();

    @Description("The file's path inside the filesystem (its first name if it has several)")
    String getPath();

    @Description("Every name of the file (hard links), relative to the mount point; empty if it has none")
    List<String> getPaths();

    @Description("Inode number")
    long getInode();

    @Description("Inode generation: with the inode, the file's identity")
    long getGeneration();

    @Description("The subvolume the inode number belongs to (btrfs: the subvolume or snapshot's root id; 0 on a"
            + " filesystem with one inode-number space): with inode and generation, the file's identity")
    long getSubvolume();

    @Description("Current size in bytes, or -1 if the file is gone or replaced")
    long getSize();

    @Description("Damaged ranges: file offset, length, device offset, errno, source, first seen, state")
    List<DamagedRangeView> getDamagedRanges();

    @Description("Bytes damaged")
    long getDamagedBytes();

    @Description("Other files sharing damaged blocks (reflinked copies); they are damaged too")
    List<String> getSharedWith();

    @Description("OPEN while any range is open; otherwise how it was closed")
    String getState();

    @Description("When damage was first found, ISO-8601")
    String getFirstSeen();

    @Description("When damage was last reported, ISO-8601")
    String getLastSeen();

    @Description("Every action taken on this file: when, who, what, result")
    List<String> getHistory();

    @Description("Processes that map the file (from /proc/*/maps and map_files, by device, inode and generation): "
            + "pid (command)")
    List<String> getMappingProcesses();

    @Description(value = "Re-reads every open damaged range with O_DIRECT; ranges that now read clean are closed as "
            + "VERIFIED_GOOD. Writes nothing.", impact = Impact.ACTION)
    String verify();

    @Description(value = "Overwrites the open damaged ranges with zeros, rounded out to whole pages (pmem clears "
            + "poison only on whole-page writes), then fsync and verify. THE DATA IN THOSE PAGES IS LOST. Other files "
            + "sharing the blocks (reflinks) stay damaged. Refused, with nothing written, unless the filesystem is "
            + "the recorded one (UUID), the file still maps the damaged blocks and every range still reads bad "
            + "(forceRewriteZeros skips the last check)", impact = Impact.ACTION)
    String rewriteZeros(
            @Description(name = "confirmPath", value = "The file's path, exactly as in Path, to confirm") String confirmPath);

    @Description(value = "rewriteZeros also over ranges that read clean now (data rewritten since the damage was "
            + "found is lost too); the filesystem, file and block checks still hold", impact = Impact.ACTION)
    String forceRewriteZeros(
            @Description(name = "confirmPath", value = "The file's path, exactly as in Path, to confirm") String confirmPath);

    @Description(value = "Copies the open damaged ranges (whole pages) from a good copy: a different regular file of "
            + "the same size under a configured replica root (replica.roots), no symbolic link on its way; then "
            + "fsync, verify and compare the bytes. Checked before the write as rewriteZeros (forceRestoreFrom skips "
            + "the reads-bad check)", impact = Impact.ACTION)
    String restoreFrom(
            @Description(name = "replicaPath", value = "Absolute path of the good copy, under a replica root")
            String replicaPath);

    @Description(value = "restoreFrom also over ranges that read clean now; the filesystem, file and block checks "
            + "still hold", impact = Impact.ACTION)
    String forceRestoreFrom(
            @Description(name = "replicaPath", value = "Absolute path of the good copy, under a replica root")
            String replicaPath);

    @Description(value = "restoreFrom the copy the configured replica provider names", impact = Impact.ACTION)
    String restoreFromReplica();

    @Description(value = "Moves the file into .daxguard-quarantine at the root of its filesystem (a rename); the "
            + "record follows it", impact = Impact.ACTION)
    String quarantine();

    @Description(value = "Closes the open damage as accepted loss; writes nothing", impact = Impact.ACTION)
    String acknowledgeLoss(@Description(name = "note", value = "Why, for the audit trail") String note);

    @Description(value = "Sends a signal (SIGBUS when empty, as the kernel does for poisoned DAX mappings) to every "
            + "process that maps the file", impact = Impact.ACTION)
    String signalMappers(@Description(name = "signal", value = "SIGBUS, SIGTERM, SIGKILL, ... or empty") String signal);
}
