package io.daxguard.agent.jmx;

import io.daxguard.agent.source.scrub.ScrubProgress;
import java.util.List;
import java.util.Map;

@Description("A mounted filesystem: its health, damaged files and metadata, and a reverse-map query")
public interface FilesystemMXBean {

    @Description("Where it is mounted")
    String getMountPoint();

    @Description("Filesystem type, for example xfs")
    String getType();

    @Description("The block device it is on")
    String getDevice();

    @Description("Filesystem UUID")
    String getUuid();

    @Description("Every block device the filesystem keeps its data on (several for btrfs), as kernel name and"
            + " major:minor; a failure on any of them is routed to this filesystem")
    List<String> getMemberDevices();

    @Description("ONLINE (no damage), DEGRADED (file data damaged), UNHEALTHY (metadata damaged: run the repair "
            + "tool offline) or NOT HELD (no plugin could serve it)")
    String getHealth();

    @Description("Why the filesystem is not held, or empty")
    String getNotHeldReason();

    @Description("How owners are found: rmapbt (the filesystem's reverse map) or index")
    String getReverseMap();

    @Description("Files with open damage")
    int getDamagedFileCount();

    @Description("Bytes of open damage in files")
    long getDamagedBytes();

    @Description("Damaged metadata structures, with what to run")
    List<OwnerView> getMetadataDamage();

    @Description("Bytes of damage in free space")
    long getFreeSpaceDamageBytes();

    @Description("The recovery policy that acts on new damage here by itself: its name, how it matched (uuid, or the "
            + "watched directory), its steps and mode; or \"none: manual\"")
    String getRecoveryPolicy();

    @Description(value = "Dry run of the recovery policy: what would happen to damage found in this file now, step by "
            + "step (replica present? under a disposable directory? which processes map it?). Nothing is written, "
            + "moved or signalled", impact = Description.Impact.INFO)
    String testPolicy(@Description(name = "path", value = "The file, relative to the mount point (/dir/file) or with "
            + "it") String path);

    @Description(value = "Puts a quarantined file back where it was (the quarantine's audit entry names the path): a "
            + "rename that never replaces a name taken since, the file identified before and after; its quarantined "
            + "ranges are open again. Audited", impact = Description.Impact.ACTION)
    String releaseQuarantined(@Description(name = "name", value = "The file's name in .daxguard-quarantine (or "
            + "/.daxguard-quarantine/NAME)") String name);

    @Description(value = "What owns a byte range of this filesystem's device, without recording anything. At most "
            + "mbeans.resolveBytes (1 GiB by default) in one call: a larger range is refused; resolvePage and "
            + "resolveSummary answer it", impact = Description.Impact.INFO)
    List<OwnerView> resolve(
            @Description(name = "offset", value = "First byte, relative to the start of the filesystem") long offset,
            @Description(name = "length", value = "Bytes, 1..mbeans.resolveBytes") long length);

    @Description(value = "resolve for many ranges in one call, answered as one question to the filesystem (one look at "
            + "its changes): range i is offsets[i], lengths[i]; one row per range, in order, with its owners. At most "
            + "mbeans.batchItems ranges (10000 by default) and mbeans.resolveBytes bytes together; arrays of unequal "
            + "length, too many ranges or bytes, or any invalid range refuse the whole call",
            impact = Description.Impact.INFO)
    List<ResolvedRange> resolveRanges(
            @Description(name = "offsets", value = "Per range: first byte, relative to the start of the filesystem")
            long[] offsets,
            @Description(name = "lengths", value = "Per range: bytes, at least 1") long[] lengths);

    @Description(value = "resolveRanges answered as columns, for programs that ask thousands of ranges: one "
            + "CompositeData of arrays, row j being one owner of range[j] (an index into offsets and lengths); a range "
            + "nothing owns has no row. The same owners as resolveRanges, without the description sentence, and the same "
            + "limits (mbeans.batchItems ranges, mbeans.resolveBytes bytes together); several times cheaper to send "
            + "and read", impact = Description.Impact.INFO)
    ResolvedColumns resolveRangesAsColumns(
            @Description(name = "offsets", value = "Per range: first byte, relative to the start of the filesystem")
            long[] offsets,
            @Description(name = "lengths", value = "Per range: bytes, at least 1") long[] lengths);

    @Description(value = "resolve for a range of any size, a page of at most mbeans.resolveBytes at a time: the "
            + "owners of the first page, and where the next page starts (nextOffset, -1 after the last)",
            impact = Description.Impact.INFO)
    ResolvePage resolvePage(
            @Description(name = "offset", value = "First byte, relative to the start of the filesystem") long offset,
            @Description(name = "length", value = "Bytes still to answer, at least 1") long length);

    @Description(value = "What owns a range of any size, summarized: owners and bytes per kind of owner, and the "
            + "first owners with their paths. Looked at a page of mbeans.resolveBytes at a time; only the counts are "
            + "kept", impact = Description.Impact.INFO)
    ResolveSummary resolveSummary(
            @Description(name = "offset", value = "First byte, relative to the start of the filesystem") long offset,
            @Description(name = "length", value = "Bytes, at least 1") long length,
            @Description(name = "firstOwners", value = "List this many owners in full (0..1000)") int firstOwners);

    @Description(value = "Damaged files, a page at a time, by path", impact = Description.Impact.INFO)
    List<DamagedFileSummary> listDamagedFiles(
            @Description(name = "offset", value = "How many files to skip") int offset,
            @Description(name = "limit", value = "At most this many files (1..1000)") int limit);

    @Description("Scrub state: IDLE, RUNNING, PAUSED, FINISHED, CANCELLED or FAILED")
    String getScrubState();

    @Description("The scrub: bytes done and total, position, rate (bytes/s), ETA (s), bad runs and bytes found")
    ScrubProgress getScrub();

    @Description("Written bytes the scrub has verified")
    long getScrubBytesDone();

    @Description("Written bytes of the filesystem when the scrub (re)started")
    long getScrubBytesTotal();

    @Description("Scrub read rate in bytes per second since it (re)started")
    long getScrubRate();

    @Description("Seconds the scrub still needs at its rate; -1 when unknown")
    long getScrubEtaSeconds();

    @Description(value = "Starts a read-verify of every written extent from the beginning; bad sectors found are "
            + "recorded like any other failure", impact = Description.Impact.ACTION)
    ScrubProgress startScrub();

    @Description(value = "Pauses the scrub after its current read; its position is saved", impact = Description.Impact.ACTION)
    ScrubProgress pauseScrub();

    @Description(value = "Resumes a paused scrub where it stopped", impact = Description.Impact.ACTION)
    ScrubProgress resumeScrub();

    @Description(value = "Cancels the scrub; a new one starts from the beginning", impact = Description.Impact.ACTION)
    ScrubProgress cancelScrub();

    // Issue 3: the reverse-map index of filesystems that keep none (ext4, XFS without rmapbt).

    @Description("The reverse-map index daxguard builds for a filesystem that keeps none (ext4, XFS without "
            + "rmapbt): \"building 45% ...\", \"ready: 202,022 files, 205,113 extents\", \"rebuilding ...\" or "
            + "\"failed: why\"; \"none needed\" when the filesystem keeps its own reverse map")
    String getReverseMapStatus();

    @Description("Builds of the reverse-map index since the filesystem was attached, by cause: first (at attach), "
            + "changed (the filesystem changed since the index was built and a question needed a newer one), "
            + "rejected (a file no longer maps what the index said), unexplained and inline (changes cannot be "
            + "counted without fanotify), all full builds, and incremental (refreshes that read only the files "
            + "changed since the last build, whatever their cause); empty when the filesystem keeps its own reverse map. A question about an "
            + "unchanged filesystem never rebuilds the index")
    Map<String, Long> getIndexRebuilds();

    @Description(value = "Waits until owners of file data can be named (the first index build is done), at most the "
            + "given seconds (60 at most: wait longer by calling again); true when they can. Until then failures in "
            + "file data are recorded with an unknown owner", impact = Description.Impact.INFO)
    boolean awaitReverseMap(
            @Description(name = "timeoutSeconds", value = "At most this long (1..60)") int timeoutSeconds);

    @Description(value = "The blocks of this filesystem's open damage as its offline checker reads a bad-block list "
            + "(ext4: e2fsck -l FILE, one filesystem block number per line). Empty when there is no open damage, "
            + "and for a filesystem whose checker takes no such list (XFS: xfs_repair takes none)",
            impact = Description.Impact.INFO)
    String badBlockList();

    // Issue 15: what the kernel does to a filesystem whose metadata it cannot trust, and free-space poison.

    @Description("When daxguard froze this filesystem and by whom, while it is frozen by daxguard; empty otherwise "
            + "(frozen by someone else, fsfreeze, is not shown)")
    String getFrozenByDaxguard();

    @Description(value = "Freezes the filesystem (FIFREEZE; its UUID checked first): it is made consistent on disk and "
            + "every write waits until thaw(). Refused on the filesystem holding the agent's state directory",
            impact = Description.Impact.ACTION)
    String freeze();

    @Description(value = "Thaws the filesystem (FITHAW): waiting writes go on. Also thaws a freeze made with fsfreeze",
            impact = Description.Impact.ACTION)
    String thaw();

    @Description(value = "Shuts the filesystem down as the kernel does for metadata it cannot trust "
            + "(XFS_IOC_GOINGDOWN / EXT4_IOC_SHUTDOWN, the log flushed): every I/O fails with EIO until it is "
            + "unmounted; then run its repair tool. xfs and ext4 only", impact = Description.Impact.ACTION)
    String shutdown(
            @Description(name = "confirmMountPoint", value = "The mount point, to confirm") String confirmMountPoint);

    @Description(value = "Clears every open free-space damage record of this filesystem: frozen, the bytes checked "
            + "free (GETFSMAP), zeros written through the block device and read back; a record whose bytes read clean "
            + "closes REWRITTEN. Bytes no longer all free are left as they are (the record waits); the filesystem is "
            + "thawed after each record", impact = Description.Impact.ACTION)
    String clearFreeSpaceDamage();

    @Description("Damaged ranges of data this filesystem keeps another copy of (state REDUNDANT: data intact on another "
            + "copy, no data lost), on whichever of its member devices; repairFromCopies() rewrites them")
    List<BadRangeView> getRedundantDamage();

    @Description(value = "Rewrites every REDUNDANT damaged range from the filesystem's good copy and verifies it "
            + "(btrfs: a scrub of that device range): a verified range closes REPAIRED_FROM_COPY, one with no good copy "
            + "left becomes OPEN (data loss), any other stays REDUNDANT. Audited", impact = Description.Impact.ACTION)
    String repairFromCopies();
}
