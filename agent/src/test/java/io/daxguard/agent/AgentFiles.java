package io.daxguard.agent;

import io.daxguard.support.linux.FiemapExtent;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Test files and where their bytes are, for tests outside this package. */
public final class AgentFiles {
    private AgentFiles() {
    }

    public static void writeFile(Path file, int bytes, long seed) throws IOException {
        AgentFixture.writeFile(file, bytes, seed);
    }

    public static List<FiemapExtent> extents(Path file) throws IOException {
        return AgentFixture.extents(file);
    }
}
