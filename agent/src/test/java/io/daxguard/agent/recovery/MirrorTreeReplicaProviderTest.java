package io.daxguard.agent.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MirrorTreeReplicaProviderTest {
    @TempDir
    Path mirror;

    @Test
    void aFileIsFoundAtTheSamePathUnderTheMirror() throws IOException {
        Files.createDirectories(mirror.resolve("dir"));
        Files.writeString(mirror.resolve("dir/a"), "good copy");
        MirrorTreeReplicaProvider provider = new MirrorTreeReplicaProvider(Map.of(Path.of("/mnt/data"), mirror));

        assertThat(provider.replicaOf(Path.of("/mnt/data"), "/dir/a", 131, 7)).contains(mirror.resolve("dir/a"));
    }

    @Test
    void aPathClimbingOutOfTheMirrorIsNotAReplica() throws IOException {
        MirrorTreeReplicaProvider provider = new MirrorTreeReplicaProvider(Map.of(Path.of("/mnt/data"),
                Files.createDirectories(mirror.resolve("tree"))));
        Files.writeString(mirror.resolve("secret"), "outside");

        assertThat(provider.replicaOf(Path.of("/mnt/data"), "/../secret", 131, 7)).isEmpty();
    }

    @Test
    void aFilesystemWithoutAMirrorHasNoReplicas() {
        MirrorTreeReplicaProvider provider = new MirrorTreeReplicaProvider(Map.of());

        assertThat(provider.replicaOf(Path.of("/mnt/data"), "/dir/a", 131, 7)).isEmpty();
    }

    @Test
    void aSha256sumFileBesideAReplicaIsItsRecordedChecksum() throws IOException {
        Path replica = Files.writeString(mirror.resolve("a"), "good copy");
        Files.writeString(mirror.resolve("a.sha256"), "ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789  a\n");

        assertThat(new MirrorTreeReplicaProvider(Map.of()).sha256Of(replica))
                .contains("abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
    }

    @Test
    void aReplicaWithoutASha256sumFileHasNoRecordedChecksum() throws IOException {
        Path replica = Files.writeString(mirror.resolve("a"), "good copy");

        assertThat(new MirrorTreeReplicaProvider(Map.of()).sha256Of(replica)).isEmpty();
    }

    @Test
    void aSha256FileInAnotherShapeIsRefusedNotIgnored() throws IOException {
        Path replica = Files.writeString(mirror.resolve("a"), "good copy");
        Files.writeString(mirror.resolve("a.sha256"), "md5: 0123\n");

        assertThatThrownBy(() -> new MirrorTreeReplicaProvider(Map.of()).sha256Of(replica))
                .isInstanceOf(IOException.class).hasMessageContaining("is not a sha256sum file");
    }
}
