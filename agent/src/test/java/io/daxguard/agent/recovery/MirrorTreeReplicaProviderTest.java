package io.daxguard.agent.recovery;

import static org.assertj.core.api.Assertions.assertThat;

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
}
