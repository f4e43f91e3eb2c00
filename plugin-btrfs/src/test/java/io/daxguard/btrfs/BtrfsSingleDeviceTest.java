package io.daxguard.btrfs;

import static io.daxguard.btrfs.BtrfsFixtures.BLOCK;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.FreeSpaceOwner;
import io.daxguard.spi.Holder;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.Owner;
import io.daxguard.spi.PluginContext;
import io.daxguard.spi.Redundancy;
import io.daxguard.support.linux.FileGeneration;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** One btrfs on one loop device: owners of data, snapshots, reflinks, metadata, free space; names of files. */
@Tag("mount")
class BtrfsSingleDeviceTest {
    /** {@code linux/fiemap.h}: the data is encoded (compressed) on disk. */
    private static final int FIEMAP_EXTENT_ENCODED = 0x8;
    private static ScratchFilesystem fs;
    private static Holder holder;
    private static DeviceNumber member;

    @BeforeAll
    static void attach() throws IOException {
        Privileges.requireRootLoopAnd("mkfs.btrfs", "btrfs", "btrfs-map-logical", "cp");
        fs = ScratchFilesystem.of("btrfs").build();
        try {
            fs.create();
            holder = new BtrfsPlugin().attach(BtrfsFixtures.mountOf(fs.mountPoint()),
                    PluginContext.of(System.getLogger("test")));
            member = fs.deviceNumber();
        } catch (IOException | RuntimeException e) {
            fs.close();
            throw e;
        }
    }

    @AfterAll
    static void detach() throws IOException {
        try {
            if (holder != null) {
                holder.close();
            }
        } finally {
            if (fs != null) {
                fs.close();
            }
        }
    }

    @Test
    void theMembersAreTheLoopDeviceNotTheAnonymousDeviceOfTheMountTable() throws IOException {
        assertThat(holder.memberDevices()).containsExactly(member);
        assertThat(holder.mount().device()).isNotEqualTo(member);
        assertThat(holder.info().uuid()).isEqualTo(Command.run("blkid", "-s", "UUID", "-o", "value",
                fs.device().toString()).strip());
    }

    @Test
    void aDataBlockNamesItsFileSubvolumeOffsetAndGeneration() throws IOException {
        Path file = BtrfsFixtures.writeCommitted(fs.path("plain"), 16);
        long physical = physicalOf(file, 5 * BLOCK);

        List<Owner> owners = holder.notifyFailure(member, FailureRange.of(physical, BLOCK));

        assertThat(owners).containsExactly(new FileOwner(BtrfsFixtures.inodeOf(file), generationOf(file),
                io.daxguard.spi.Fork.DATA, 5 * BLOCK, physical, BLOCK, false, false, Trees.FS_TREE));
        assertThat(holder.notifyFailure(FailureRange.of(physical, BLOCK))).isEqualTo(owners);
    }

    @Test
    void aSnapshotCopyIsASecondOwnerInItsOwnSubvolumeWithItsOwnPath() throws IOException {
        Path file = BtrfsFixtures.writeCommitted(fs.path("before-snapshot"), 4);
        Command.run("btrfs", "subvolume", "snapshot", fs.mountPoint().toString(), fs.path("snap").toString());
        BtrfsFixtures.commit(fs.mountPoint());
        long snapshot = subvolumeIdOf(fs.path("snap"));
        long physical = physicalOf(file, 0);

        List<FileOwner> owners = fileOwners(holder.notifyFailure(member, FailureRange.of(physical, BLOCK)));

        assertThat(owners).extracting(FileOwner::subvolume).containsExactlyInAnyOrder(Trees.FS_TREE, snapshot);
        assertThat(owners).allSatisfy(owner -> {
            assertThat(owner.inode()).isEqualTo(BtrfsFixtures.inodeOf(file));
            assertThat(owner.shared()).isTrue();
        });
        long inode = BtrfsFixtures.inodeOf(file);
        assertThat(holder.pathNames().orElseThrow().pathsOf(snapshot, List.of(inode)))
                .contains(Map.of(inode, List.of(LinuxPath.ofText("/snap/before-snapshot"))));
        assertThat(holder.pathNames().orElseThrow().pathsOf(Trees.FS_TREE, List.of(inode)))
                .contains(Map.of(inode, List.of(LinuxPath.ofText("/before-snapshot"))));
    }

    @Test
    void aReflinkCopyIsASharedOwnerOfTheSameBlocks() throws IOException {
        Path original = BtrfsFixtures.writeCommitted(fs.path("original"), 8);
        Path copy = fs.path("reflinked");
        Command.run("cp", "--reflink=always", original.toString(), copy.toString());
        BtrfsFixtures.commit(fs.mountPoint());
        long physical = physicalOf(original, 2 * BLOCK);

        List<FileOwner> owners = fileOwners(holder.notifyFailure(member, FailureRange.of(physical, BLOCK)));

        assertThat(owners).extracting(FileOwner::inode).containsExactlyInAnyOrder(BtrfsFixtures.inodeOf(original),
                BtrfsFixtures.inodeOf(copy));
        assertThat(owners).allSatisfy(owner -> {
            assertThat(owner.shared()).isTrue();
            assertThat(owner.fileOffset()).isEqualTo(2 * BLOCK);
            assertThat(owner.subvolume()).isEqualTo(Trees.FS_TREE);
        });
    }

    @Test
    void theRootTreeAndTheChunkTreeAreNamedMetadata() throws IOException {
        long rootTree = BtrfsFixtures.superblockField(fs.device(), "root");
        long chunkTree = BtrfsFixtures.superblockField(fs.device(), "chunk_root");

        assertThat(metadataKinds(rootTree)).containsExactly("btrfs.tree.root");
        assertThat(metadataKinds(chunkTree)).containsExactly("btrfs.tree.chunk");
        MetadataOwner owner = (MetadataOwner) holder.notifyFailure(member, FailureRange.of(
                BtrfsFixtures.placementsOf(rootTree, fs.device()).get(0).physical(), BLOCK)).get(0);
        assertThat(owner.repairHint()).contains("btrfs scrub start -B " + fs.mountPoint()).contains("dup");
    }

    @Test
    void theSuperblockCopyAt64KiBIsNamedMetadata() throws IOException {
        List<Owner> owners = holder.notifyFailure(member, FailureRange.of(64 << 10, 512));

        assertThat(owners).singleElement().isInstanceOfSatisfying(MetadataOwner.class, owner -> {
            assertThat(owner.kind()).isEqualTo("btrfs.superblock");
            assertThat(owner.physicalOffset()).isEqualTo(64 << 10);
            assertThat(owner.length()).isEqualTo(512);
        });
    }

    @Test
    void unallocatedDeviceSpaceAndFreedBlocksInADataChunkAreFreeSpace() throws IOException {
        assertThat(holder.notifyFailure(member, FailureRange.of((319L << 20), BLOCK)))
                .containsExactly(new FreeSpaceOwner(319L << 20, BLOCK));

        Path file = BtrfsFixtures.writeCommitted(fs.path("to-delete"), 4);
        long physical = physicalOf(file, 0);
        Files.delete(file);
        BtrfsFixtures.commit(fs.mountPoint());
        assertThat(holder.notifyFailure(member, FailureRange.of(physical, 4 * BLOCK)))
                .containsExactly(new FreeSpaceOwner(physical, 4 * BLOCK));
    }

    @Test
    void everyByteOfTheFirst64MiBHasAnOwnerInPhysicalOrder() throws IOException {
        BtrfsFixtures.writeCommitted(fs.path("coverage"), 32);
        List<Owner> owners = holder.notifyFailure(member, FailureRange.of(0, 64L << 20));

        long covered = 0;
        long previousStart = 0;
        for (Owner owner : owners) {
            assertThat(owner.physicalOffset()).isGreaterThanOrEqualTo(previousStart).isLessThanOrEqualTo(covered);
            previousStart = owner.physicalOffset();
            covered = Math.max(covered, owner.physicalEnd());
        }
        assertThat(covered).isEqualTo(64L << 20);
    }

    @Test
    void writtenExtentsHoldTheFileAndTheSuperblockButNotUnallocatedSpace() throws IOException {
        Path file = BtrfsFixtures.writeCommitted(fs.path("scrubbed"), 4);
        long physical = physicalOf(file, 0);
        List<long[]> written = new ArrayList<>();
        holder.forEachWrittenExtent(member, 0, 320L << 20, (offset, length) -> written.add(new long[] {offset, length}));

        assertThat(written).anySatisfy(e -> assertThat(e[0] <= physical && physical + 4 * BLOCK <= e[0] + e[1]).isTrue());
        assertThat(written).anySatisfy(e -> assertThat(e[0] <= 65536 && 65536 + 4096 <= e[0] + e[1]).isTrue());
        assertThat(written).noneSatisfy(e -> assertThat(e[0] + e[1]).isGreaterThan(319L << 20));
    }

    @Test
    void aSingleDeviceKeepsOneCopyOfDataAndTwoOfMetadata() throws IOException {
        Path file = BtrfsFixtures.writeCommitted(fs.path("redundancy"), 1);
        assertThat(holder.redundancy(member, FailureRange.of(physicalOf(file, 0), BLOCK)))
                .isEqualTo(new Redundancy("single", 1));
        long rootTree = BtrfsFixtures.superblockField(fs.device(), "root");
        assertThat(holder.redundancy(member, FailureRange.of(
                BtrfsFixtures.placementsOf(rootTree, fs.device()).get(0).physical(), BLOCK)))
                .isEqualTo(new Redundancy("dup", 2));
    }

    @Test
    void aFileNamedWithBytesThatAreNotUtf8IsNamedByItsBytes() throws IOException {
        byte[] name = {'l', 'a', 't', (byte) 0xe9, 'n'};
        LinuxPath path = LinuxPath.of(fs.mountPointBytes().bytes()).join(LinuxPath.of(name));
        Command.run("sh", "-c", "head -c 8192 /dev/urandom > " + io.daxguard.testkit.ByteNames.shellWord(path));
        BtrfsFixtures.commit(fs.mountPoint());
        long inode = io.daxguard.support.linux.FileStatus.ofPathNoFollow(path).inode();

        assertThat(holder.pathNames().orElseThrow().pathsOf(Trees.FS_TREE, List.of(inode)))
                .contains(Map.of(inode, List.of(LinuxPath.ROOT.join(LinuxPath.of(name)))));
    }

    @Test
    void aFileInANestedSubvolumeIsNamedThroughTheDirectoriesHoldingIt() throws IOException {
        Files.createDirectories(fs.path("outer/dir"));
        Command.run("btrfs", "subvolume", "create", fs.path("outer/dir/vol").toString());
        Files.createDirectories(fs.path("outer/dir/vol/inside"));
        Path file = BtrfsFixtures.writeCommitted(fs.path("outer/dir/vol/inside/file"), 2);
        Files.createLink(fs.path("outer/dir/vol/second-name"), file);
        BtrfsFixtures.commit(fs.mountPoint());
        long subvolume = subvolumeIdOf(fs.path("outer/dir/vol"));
        long inode = BtrfsFixtures.inodeOf(file);

        assertThat(fileOwners(holder.notifyFailure(member, FailureRange.of(physicalOf(file, 0), BLOCK))))
                .singleElement().satisfies(owner -> {
                    assertThat(owner.subvolume()).isEqualTo(subvolume);
                    assertThat(owner.inode()).isEqualTo(inode);
                });
        assertThat(holder.pathNames().orElseThrow().pathsOf(subvolume, List.of(inode)).orElseThrow().get(inode))
                .containsExactlyInAnyOrder(LinuxPath.ofText("/outer/dir/vol/inside/file"),
                        LinuxPath.ofText("/outer/dir/vol/second-name"));
    }

    /**
     * A name INO_PATHS gave is checked from the subvolume root with no symbolic link followed: a directory renamed and
     * replaced by a link to its new name since (the race between the lookup and the check) still leads to the file,
     * but that name is none of its links.
     */
    @Test
    void aNameThroughADirectorySwappedForALinkToItsNewNameIsNotGivenOut() throws IOException {
        Files.createDirectories(fs.path("swapped/d"));
        Path file = BtrfsFixtures.writeCommitted(fs.path("swapped/d/f"), 1);
        long inode = BtrfsFixtures.inodeOf(file);
        Files.move(fs.path("swapped/d"), fs.path("swapped/d2"));
        Files.createSymbolicLink(fs.path("swapped/d"), Path.of("d2"));

        try (NativeFile root = ((BtrfsHolder) holder).openFilesystem()) {
            assertThat(SubvolumePaths.stillNamed(root, LinuxPath.ROOT, root.status().device(), inode,
                    List.of(LinuxPath.ofText("swapped/d/f")))).isEmpty();
        }
    }

    @Test
    void aNameThatStillLeadsToItsFileIsGivenOutBelowTheMountPoint() throws IOException {
        Files.createDirectories(fs.path("kept/d"));
        Path file = BtrfsFixtures.writeCommitted(fs.path("kept/d/f"), 1);
        long inode = BtrfsFixtures.inodeOf(file);

        try (NativeFile root = ((BtrfsHolder) holder).openFilesystem()) {
            assertThat(SubvolumePaths.stillNamed(root, LinuxPath.ROOT, root.status().device(), inode,
                    List.of(LinuxPath.ofText("kept/d/f")))).contains(List.of(LinuxPath.ofText("/kept/d/f")));
        }
    }

    @Test
    void preallocatedSpaceIsOwnedAsUnwritten() throws IOException {
        Path file = fs.path("preallocated");
        Command.run("fallocate", "-l", "16384", file.toString());
        BtrfsFixtures.commit(fs.mountPoint());

        assertThat(fileOwners(holder.notifyFailure(member, FailureRange.of(physicalOf(file, BLOCK), BLOCK))))
                .singleElement().satisfies(owner -> {
                    assertThat(owner.unwritten()).isTrue();
                    assertThat(owner.fileOffset()).isEqualTo(BLOCK);
                });
    }

    @Test
    void aPartlyRewrittenExtentKeepsItsOldOwnerOnlyWhereTheFileStillUsesIt() throws IOException {
        Path file = BtrfsFixtures.writeCommitted(fs.path("rewritten"), 8);
        long firstExtent = physicalOf(file, 0);
        Command.run("dd", "if=/dev/zero", "of=" + file, "bs=4096", "seek=2", "count=2", "conv=notrunc,fsync",
                "status=none");
        BtrfsFixtures.commit(fs.mountPoint());

        List<Owner> owners = holder.notifyFailure(member, FailureRange.of(firstExtent, 8 * BLOCK));

        // Blocks 2 and 3 of the old extent are no file's now; 0-1 and 4-7 still are, at their own file offsets.
        assertThat(owners).containsExactly(
                new FileOwner(BtrfsFixtures.inodeOf(file), generationOf(file), io.daxguard.spi.Fork.DATA, 0,
                        firstExtent, 2 * BLOCK, false, false, Trees.FS_TREE),
                new FreeSpaceOwner(firstExtent + 2 * BLOCK, 2 * BLOCK),
                new FileOwner(BtrfsFixtures.inodeOf(file), generationOf(file), io.daxguard.spi.Fork.DATA, 4 * BLOCK,
                        firstExtent + 4 * BLOCK, 4 * BLOCK, false, false, Trees.FS_TREE));
    }

    @Test
    void aMountOfASubvolumeNamesItsFilesFromItsOwnRootAndNoneOutsideIt() throws IOException {
        Command.run("btrfs", "subvolume", "create", fs.path("mounted-vol").toString());
        Path file = BtrfsFixtures.writeCommitted(fs.path("mounted-vol/file"), 1);
        Path outside = BtrfsFixtures.writeCommitted(fs.path("outside-vol"), 1);
        long subvolume = subvolumeIdOf(fs.path("mounted-vol"));
        Path where = Files.createTempDirectory("daxguard-btrfs-subvol-");
        try {
            Command.run("mount", "-o", "subvol=/mounted-vol", fs.device().toString(), where.toString());
            try (Holder subvolumeHolder = new BtrfsPlugin().attach(BtrfsFixtures.mountOf(where),
                    PluginContext.of(System.getLogger("test")))) {
                assertThat(subvolumeHolder.mount().root()).isEqualTo("/mounted-vol");
                long inode = BtrfsFixtures.inodeOf(file);
                assertThat(subvolumeHolder.pathNames().orElseThrow().pathsOf(subvolume, List.of(inode)))
                        .contains(Map.of(inode, List.of(LinuxPath.ofText("/file"))));
                assertThat(subvolumeHolder.pathNames().orElseThrow().pathsOf(List.of(inode)))
                        .contains(Map.of(inode, List.of(LinuxPath.ofText("/file"))));
                assertThat(subvolumeHolder.pathNames().orElseThrow().pathsOf(Trees.FS_TREE,
                        List.of(BtrfsFixtures.inodeOf(outside)))).isEmpty();
            } finally {
                Command.run("umount", where.toString());
            }
        } finally {
            Files.delete(where);
        }
    }

    @Test
    void everyBlockOfACompressedExtentIsOwnedFromTheStartOfTheFileRangeItHolds() throws IOException {
        Files.createDirectory(fs.path("compressed"));
        Command.run("btrfs", "property", "set", fs.path("compressed").toString(), "compression", "zlib");
        Path file = fs.path("compressed/text");
        Files.writeString(file, "daxguard reads btrfs's trees. ".repeat(128 * 1024 / 30));
        Command.run("sync", file.toString());
        BtrfsFixtures.commit(fs.mountPoint());
        int[] flags = {0};
        try (NativeFile opened = NativeFile.openReadOnly(file)) {
            io.daxguard.support.linux.Fiemap.map(opened, 0, 1, 0, 1, extent -> {
                flags[0] = extent.flags();
                return false;
            });
        }
        assertThat(flags[0] & FIEMAP_EXTENT_ENCODED).as("the extent is compressed").isNotZero();
        long physical = physicalOf(file, 0);

        // 128 KiB of text compress into a few blocks: each of them holds the whole file range.
        assertThat(fileOwners(holder.notifyFailure(member, FailureRange.of(physical, BLOCK)))).singleElement()
                .satisfies(owner -> {
                    assertThat(owner.inode()).isEqualTo(BtrfsFixtures.inodeOf(file));
                    assertThat(owner.fileOffset()).isZero();
                });
    }

    @Test
    void aBatchIsAnsweredAsRangeByRange() throws IOException {
        Path file = BtrfsFixtures.writeCommitted(fs.path("batched"), 4);
        List<FailureRange> ranges = List.of(FailureRange.of(physicalOf(file, 0), BLOCK), FailureRange.of(64 << 10, 512),
                FailureRange.of(319L << 20, BLOCK));

        List<List<Owner>> batch = holder.notifyFailures(ranges);

        assertThat(batch).hasSize(3);
        for (int i = 0; i < ranges.size(); i++) {
            assertThat(batch.get(i)).isEqualTo(holder.notifyFailure(ranges.get(i)));
        }
    }

    @Test
    void aBlockWrittenAndFsyncedButNotYetCommittedIsOwnedByItsFile() throws IOException {
        Path file = fs.path("fsynced-only");
        byte[] content = new byte[4 * BLOCK];
        new java.util.Random(7).nextBytes(content);
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(content));
            channel.force(true); // btrfs logs the fsync in its log tree; the extent tree changes at the next commit
        }
        long logical = BtrfsFixtures.logicalOf(file, BLOCK);
        long physical = BtrfsFixtures.physicalFromChunkTree(logical, fs.device());
        long inode = BtrfsFixtures.inodeOf(file);

        assertThat(fileOwners(holder.notifyFailure(member, FailureRange.of(physical, BLOCK)))).singleElement()
                .satisfies(owner -> assertThat(owner.inode()).isEqualTo(inode));
    }

    @Test
    void anotherFilesystemTypeIsRefusedWithTheReason() throws IOException {
        io.daxguard.spi.Mount proc = BtrfsFixtures.mountOf(Path.of("/proc"));

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new BtrfsPlugin().attach(proc,
                        PluginContext.of(System.getLogger("test"))))
                .isInstanceOf(io.daxguard.spi.AttachRefusedException.class)
                .hasMessageContaining("not a btrfs filesystem");
    }

    @Test
    void aClosedHolderAnswersNoMore() throws IOException {
        Holder second = new BtrfsPlugin().attach(BtrfsFixtures.mountOf(fs.mountPoint()),
                PluginContext.of(System.getLogger("test")));
        second.close();

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> second.notifyFailure(member, FailureRange.of(0, BLOCK)))
                .isInstanceOf(IllegalStateException.class);
    }

    private List<String> metadataKinds(long logical) throws IOException {
        long physical = BtrfsFixtures.placementsOf(logical, fs.device()).get(0).physical();
        return holder.notifyFailure(member, FailureRange.of(physical, BLOCK)).stream()
                .map(owner -> ((MetadataOwner) owner).kind()).toList();
    }

    private static long physicalOf(Path file, long offset) throws IOException {
        List<BtrfsFixtures.Placement> placements = BtrfsFixtures.placementsOf(BtrfsFixtures.logicalOf(file, offset),
                fs.device());
        assertThat(placements).hasSize(1);
        return placements.get(0).physical();
    }

    private static long generationOf(Path file) throws IOException {
        try (NativeFile opened = NativeFile.openReadOnly(file)) {
            return FileGeneration.of(opened);
        }
    }

    private static long subvolumeIdOf(Path subvolume) throws IOException {
        String show = Command.run("btrfs", "inspect-internal", "rootid", subvolume.toString());
        return Long.parseLong(show.strip());
    }

    private static List<FileOwner> fileOwners(List<Owner> owners) {
        assertThat(owners).allMatch(FileOwner.class::isInstance);
        return owners.stream().map(FileOwner.class::cast).toList();
    }
}
