package io.daxguard.agent.jmx;

import java.util.List;

@Description("A file with damaged ranges: where, since when, and shared with whom")
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
}
