package io.daxguard.ext4;

import static io.daxguard.ext4.Ext4Files.BLOCK;
import static io.daxguard.ext4.Ext4Files.attached;
import static io.daxguard.ext4.Ext4Files.extentsOf;
import static io.daxguard.ext4.Ext4Files.fileOwnerInodes;
import static io.daxguard.ext4.Ext4Files.fileOwners;
import static io.daxguard.ext4.Ext4Files.inodeOf;
import static io.daxguard.ext4.Ext4Files.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.spi.AttachRefusedException;
import io.daxguard.spi.FailureFlag;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.FilesystemPlugin;
import io.daxguard.spi.Fork;
import io.daxguard.spi.FreeSpaceOwner;
import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.Mount;
import io.daxguard.spi.Owner;
import io.daxguard.spi.PluginContext;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Tag("mount")
class Ext4HolderTest {
    @RegisterExtension
    static final ScratchFilesystem FILESYSTEM = ScratchFilesystem.ext4()
            .mkfsOptions("-b", "4096", "-O", "inline_data").build();
    private static int directories;
    private final List<Ext4Holder> holders = new ArrayList<>();

    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd("debugfs", "dumpe2fs", "fsfreeze", "fallocate", "blkid");
    }

    @AfterEach
    void closeHolders() throws IOException {
        for (Ext4Holder holder : holders) {
            holder.close();
        }
    }

    /** The plugin's settings; a subclass runs every test with the other index source. */
    PluginContext context() {
        return PluginContext.of(System.getLogger("test"));
    }

    /** What {@code info().reverseMap()} says with {@link #context()}. */
    String expectedReverseMap() {
        return "index:inode-tables";
    }

    private Ext4Holder holder() throws Exception {
        Ext4Holder holder = attached(FILESYSTEM, context());
        holders.add(holder);
        return holder;
    }

    private static Path freshDirectory() throws IOException {
        return Files.createDirectory(FILESYSTEM.path("h" + (++directories)));
    }

    private static List<Owner> ownersOfBlock(Ext4Holder holder, long block) throws IOException {
        return holder.notifyFailure(FailureRange.of(block * BLOCK, BLOCK));
    }

    private static <T> T frozen(E2fsTools.IoSupplier<T> work) throws IOException {
        return E2fsTools.frozen(FILESYSTEM.mountPoint(), work);
    }

    @Test
    void namesTheFileOwningTheBlockOfASmallFile() throws Exception {
        Path file = write(freshDirectory().resolve("small"), 0, 5000, 1);
        Ext4Holder holder = holder();

        assertThat(fileOwnerInodes(ownersOfBlock(holder, extentsOf(file).get(0).physical() / BLOCK)))
                .containsExactly(inodeOf(file));
    }

    @Test
    void givesTheFileOffsetOfABlockInsideALargeFile() throws Exception {
        Path file = write(freshDirectory().resolve("large"), 0, 16 << 20, 2);
        Ext4Holder holder = holder();
        FiemapExtent extent = extentsOf(file).get(0);

        assertThat(fileOwners(ownersOfBlock(holder, extent.physical() / BLOCK + 100)))
                .extracting(FileOwner::fileOffset).containsExactly(extent.logical() + 100L * BLOCK);
    }

    /** Every other block written: each block its own extent, so the extent tree needs a block of its own. */
    private static Path fragmented(String name) throws IOException {
        Path file = freshDirectory().resolve(name);
        for (int i = 0; i < 12; i++) {
            write(file, 2L * i * BLOCK, BLOCK, i);
        }
        return file;
    }

    @Test
    void namesTheFileOwningEveryExtentOfAFragmentedFile() throws Exception {
        Path file = fragmented("fragmented");
        Ext4Holder holder = holder();
        List<FiemapExtent> extents = extentsOf(file);
        assertThat(extents).as("precondition: fragmented").hasSizeGreaterThan(4);

        List<Long> owners = new ArrayList<>();
        for (FiemapExtent extent : extents) {
            owners.addAll(fileOwnerInodes(ownersOfBlock(holder, extent.physical() / BLOCK)));
        }
        assertThat(owners).hasSize(extents.size()).containsOnly(inodeOf(file));
    }

    @Test
    void namesTheFileOwningAnExtentTreeBlock() throws Exception {
        Path file = fragmented("tree");
        List<Long> treeBlocks = frozen(() -> E2fsTools.extentTreeBlocks(FILESYSTEM.device(), inodeOf(file)));
        assertThat(treeBlocks).as("precondition: debugfs shows an extent-tree block").isNotEmpty();
        Ext4Holder holder = holder();

        assertThat(fileOwners(ownersOfBlock(holder, treeBlocks.get(0))))
                .extracting(FileOwner::inode, FileOwner::fork)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(inodeOf(file), Fork.EXTENT_MAP));
    }

    @Test
    void namesTheFileOwningAnXattrBlock() throws Exception {
        assertTheXattrBlockOfANewFileIsNamedItsAttributes("xattr", 8192, 3, 3000);
    }

    @Test
    void namesTheInlineFileOwningAnXattrBlockFiemapDoesNotShow() throws Exception {
        // 20 bytes stay inline in the inode, so FIEMAP shows no block of this file at all.
        assertTheXattrBlockOfANewFileIsNamedItsAttributes("inline-xattr", 20, 4, 3001);
    }

    /** Writes a new file of {@code bytes}, gives it an xattr too large for the inode, asks for its xattr block. */
    private void assertTheXattrBlockOfANewFileIsNamedItsAttributes(String name, int bytes, int seed, int xattrBytes)
            throws Exception {
        Path file = write(freshDirectory().resolve(name), 0, bytes, seed);
        Ext4Files.setXattr(file, "big", xattrBytes);
        long block = frozen(() -> E2fsTools.xattrBlock(FILESYSTEM.device(), inodeOf(file)));
        assertThat(block).as("precondition: an xattr block").isPositive();
        Ext4Holder holder = holder();

        assertThat(fileOwners(ownersOfBlock(holder, block))).extracting(FileOwner::inode, FileOwner::fork)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(inodeOf(file), Fork.ATTRIBUTES));
    }

    @Test
    void namesBothFilesSharingAnXattrBlockAsSharers() throws Exception {
        Path directory = freshDirectory();
        Path first = write(directory.resolve("first"), 0, 8192, 10);
        Path second = write(directory.resolve("second"), 0, 8192, 11);
        Ext4Files.setXattr(first, "same", 3002);
        Ext4Files.setXattr(second, "same", 3002);
        long block = frozen(() -> E2fsTools.xattrBlock(FILESYSTEM.device(), inodeOf(first)));
        Ext4Holder holder = holder();

        assertThat(fileOwners(ownersOfBlock(holder, block))).extracting(FileOwner::inode, FileOwner::shared)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(inodeOf(first), true),
                        org.assertj.core.groups.Tuple.tuple(inodeOf(second), true));
    }

    @Test
    void namesTheInodeTableAndTheInlineFileStoredInIt() throws Exception {
        Path file = write(freshDirectory().resolve("inline"), 0, 40, 5);
        FiemapExtent inline = extentsOf(file).get(0);
        assertThat(inline.isInline()).as("precondition: data inline").isTrue();
        Ext4Holder holder = holder();

        List<Owner> owners = holder.notifyFailure(FailureRange.of(inline.physical(), 1));

        assertThat(owners).anySatisfy(owner -> assertThat(owner).isInstanceOfSatisfying(MetadataOwner.class,
                metadata -> assertThat(metadata.kind()).isEqualTo("ext4.inode_table")));
        assertThat(fileOwnerInodes(owners)).containsExactly(inodeOf(file));
    }

    @Test
    void reportsAPreallocatedRangeAsUnwritten() throws Exception {
        Path file = freshDirectory().resolve("preallocated");
        Command.run("fallocate", "-l", "1M", file.toString());
        Ext4Holder holder = holder();

        assertThat(fileOwners(ownersOfBlock(holder, extentsOf(file).get(0).physical() / BLOCK)))
                .extracting(FileOwner::unwritten).containsExactly(true);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource({
        "Primary superblock, ext4.superblock",
        "Group descriptors, ext4.group_descriptors",
        "Reserved GDT blocks, ext4.reserved_gdt",
        "Block bitmap, ext4.block_bitmap",
        "Inode bitmap, ext4.inode_bitmap",
        "Inode table, ext4.inode_table"})
    void namesTheMetadataDumpe2fsPlacesInGroupZero(String label, String kind) throws Exception {
        long block = frozen(() -> E2fsTools.groupZeroBlock(FILESYSTEM.device(), label));
        Ext4Holder holder = holder();

        assertThat(ownersOfBlock(holder, block)).filteredOn(MetadataOwner.class::isInstance)
                .extracting(owner -> ((MetadataOwner) owner).kind()).containsExactly(kind);
    }

    @Test
    void namesTheJournalWhereDebugfsPlacesInodeEight() throws Exception {
        long block = frozen(() -> E2fsTools.firstJournalBlock(FILESYSTEM.device()));
        Ext4Holder holder = holder();

        assertThat(ownersOfBlock(holder, block + 1)).extracting(owner -> ((MetadataOwner) owner).kind())
                .containsExactly("ext4.journal");
    }

    @Test
    void reportsFreeSpace() throws Exception {
        long block = frozen(() -> E2fsTools.aFreeBlock(FILESYSTEM.device()));
        Ext4Holder holder = holder();

        assertThat(ownersOfBlock(holder, block)).containsExactly(new FreeSpaceOwner(block * BLOCK, BLOCK));
    }

    @Test
    void namesAFileWrittenAfterTheIndexWasBuilt() throws Exception {
        Path directory = freshDirectory();
        Ext4Holder holder = holder();
        Path late = write(directory.resolve("late"), 0, 65536, 6);

        assertThat(fileOwnerInodes(ownersOfBlock(holder, extentsOf(late).get(0).physical() / BLOCK)))
                .containsExactly(inodeOf(late));
    }

    @Test
    void coversEveryByteOfARangeSpanningSeveralOwners() throws Exception {
        Path directory = freshDirectory();
        Path first = write(directory.resolve("first"), 0, 3 * BLOCK, 7);
        Path second = write(directory.resolve("second"), 0, 3 * BLOCK, 8);
        Ext4Holder holder = holder();
        long from = Math.min(extentsOf(first).get(0).physical(), extentsOf(second).get(0).physical()) - BLOCK;
        long to = Math.max(extentsOf(first).get(0).physicalEnd(), extentsOf(second).get(0).physicalEnd()) + BLOCK;

        List<Owner> owners = holder.notifyFailure(FailureRange.of(from, to - from));

        assertThat(fileOwnerInodes(owners)).contains(inodeOf(first), inodeOf(second));
        assertThat(covered(owners, from, to)).isEqualTo(to - from);
    }

    private static long covered(List<Owner> owners, long from, long to) {
        long covered = 0;
        long at = from;
        for (Owner owner : owners) {
            long start = Math.max(at, owner.physicalOffset());
            long end = Math.min(to, owner.physicalEnd());
            if (end > start) {
                covered += end - start;
                at = end;
            }
        }
        return covered;
    }

    @Test
    void rebuildsTheIndexAtMostOnceForAFailureOfTheWholeDevice() throws Exception {
        Ext4Holder holder = holder();
        write(freshDirectory().resolve("after"), 0, 3 * BLOCK, 12);
        long before = holder.indexProgress().builds();

        holder.notifyFailure(new FailureRange(0, holder.info().size(), 5, Set.of(FailureFlag.PRE_REMOVE)));

        assertThat(holder.indexProgress().builds() - before).isEqualTo(1);
    }

    @Test
    void answersForEveryByteOfAFailureOfTheWholeDevice() throws Exception {
        Ext4Holder holder = holder();
        long size = holder.info().size();

        List<Owner> owners = holder.notifyFailure(new FailureRange(0, size, 5, Set.of(FailureFlag.PRE_REMOVE)));

        assertThat(covered(owners, 0, size)).isEqualTo(size);
    }

    @Test
    void visitsNoFreeBlockAsWritten() throws Exception {
        long free = frozen(() -> E2fsTools.aFreeBlock(FILESYSTEM.device())) * BLOCK;
        Ext4Holder holder = holder();
        List<long[]> written = new ArrayList<>();

        holder.forEachWrittenExtent(0, holder.info().size(), (offset, length) -> written.add(new long[] {offset,
                offset + length}));

        assertThat(written).isNotEmpty().noneMatch(extent -> extent[0] <= free && free < extent[1]);
    }

    @Test
    void givesEveryPathOfAnInode() throws Exception {
        Path directory = freshDirectory();
        Path file = write(directory.resolve("one"), 0, 100, 9);
        Files.createLink(directory.resolve("two"), file);
        Ext4Holder holder = holder();

        assertThat(holder.pathsOf(inodeOf(file))).containsExactlyInAnyOrder(LinuxPath.of(file),
                LinuxPath.of(directory.resolve("two")));
    }

    @Test
    void saysWhereItsIndexComesFrom() throws Exception {
        assertThat(holder().info().reverseMap()).isEqualTo(expectedReverseMap());
    }

    @Test
    void reportsTheUuidBlkidReads() throws Exception {
        String blkid = Command.run("blkid", "-s", "UUID", "-o", "value", FILESYSTEM.device().toString()).strip();

        assertThat(holder().info().uuid()).isEqualTo(blkid);
    }

    @Test
    void isFoundByServiceLoader() {
        assertThat(ServiceLoader.load(FilesystemPlugin.class)).extracting(FilesystemPlugin::type).contains("ext4");
    }

    @Test
    void refusesABindMountOfASubdirectory() throws Exception {
        Mount whole = Ext4Files.mountOf(FILESYSTEM);
        Mount bind = new Mount(0, whole.device(), "/h1", whole.mountPoint(), "ext4", whole.source(), whole.options());

        assertThatThrownBy(() -> new Ext4Plugin().attach(bind, PluginContext.of(System.getLogger("test"))))
                .isInstanceOf(AttachRefusedException.class).hasMessageContaining("shows only /h1");
    }
}
