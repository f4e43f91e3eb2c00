package io.daxguard.support.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * File handles on a real filesystem: the handle daxguard makes from an inode and its generation is the one the kernel
 * makes, opens that file, and opens nothing once the file is deleted or replaced.
 */
@Tag("mount")
abstract class FileHandleContract {
    abstract ScratchFilesystem filesystem();

    /** The kind of handle the filesystem, as the fixture mounts it, uses. */
    abstract InodeHandles expectedKind();

    @BeforeAll
    static void requireRoot() {
        Privileges.requireRootLoopAnd();
    }

    private record Identity(long inode, long generation) {
    }

    private static Identity identityOf(Path file) throws IOException {
        try (NativeFile open = NativeFile.openReadOnly(file)) {
            return new Identity(open.status().inode(), FileGeneration.of(open));
        }
    }

    private NativeFile openByHandle(Identity identity) throws IOException {
        try (NativeFile root = NativeFile.openDirectory(filesystem().mountPoint())) {
            return expectedKind().of(identity.inode(), identity.generation()).open(root);
        }
    }

    @Test
    void theKernelsHandleOfAFileIsTheOneMadeFromItsInodeAndGeneration() throws IOException {
        Path file = Files.write(filesystem().path("handle-made"), new byte[100]);
        Identity identity = identityOf(file);

        FileHandle kernels;
        try (NativeFile open = NativeFile.openReadOnly(file)) {
            kernels = FileHandle.of(open);
        }

        assertThat(kernels.inodeHandles()).contains(expectedKind());
        assertThat(expectedKind().decodes(kernels, identity.inode(), identity.generation())).isTrue();
    }

    @Test
    void aMadeHandleOpensTheFileWithoutItsName() throws IOException {
        Path file = Files.write(filesystem().path("handle-opened"), new byte[4096]);
        Identity identity = identityOf(file);

        try (NativeFile opened = openByHandle(identity)) {
            assertThat(new Identity(opened.status().inode(), FileGeneration.of(opened))).isEqualTo(identity);
        }
    }

    @Test
    void aHandleOfADeletedFileIsStale() throws IOException {
        Path file = Files.write(filesystem().path("handle-deleted"), new byte[4096]);
        Identity identity = identityOf(file);
        Files.delete(file);

        assertThatThrownBy(() -> openByHandle(identity).close()).isInstanceOfSatisfying(NativeCallException.class,
                e -> assertThat(e.errno()).isEqualTo(NativeCallException.ESTALE));
    }

    @Test
    void aHandleWithAnotherGenerationOfTheInodeIsStale() throws IOException {
        Path file = Files.write(filesystem().path("handle-replaced"), new byte[4096]);
        Identity identity = identityOf(file);
        Identity replaced = new Identity(identity.inode(), (identity.generation() + 1) & 0xffff_ffffL);

        assertThatThrownBy(() -> openByHandle(replaced).close()).isInstanceOfSatisfying(NativeCallException.class,
                e -> assertThat(e.errno()).isEqualTo(NativeCallException.ESTALE));
    }

    @Test
    void aFileRenamedOverIsNotOpenedByTheHandleOfTheFileItReplaced() throws IOException {
        Path file = Files.write(filesystem().path("handle-renamed-over"), new byte[4096]);
        Identity before = identityOf(file);
        Path other = Files.write(filesystem().path("handle-replacement"), new byte[4096]);
        Files.move(other, file, StandardCopyOption.REPLACE_EXISTING);

        assertThatThrownBy(() -> openByHandle(before).close()).isInstanceOf(NativeCallException.class);
    }
}
