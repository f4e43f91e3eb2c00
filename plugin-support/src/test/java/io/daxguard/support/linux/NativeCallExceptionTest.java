package io.daxguard.support.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A refused native call says which call, on what, and why. */
class NativeCallExceptionTest {

    @Test
    void namesTheCallThePathAndTheErrnoOfAnIoctlTheFilesystemLacks() throws IOException {
        Path procFile = Path.of("/proc/self/status");
        try (NativeFile file = NativeFile.openReadOnly(procFile)) {
            NativeCallException refused = catchThrowableOfType(NativeCallException.class,
                    () -> Getfsmap.query(file, 0, 0, 4096, 1, record -> true));

            assertThat(refused).satisfies(e -> {
                assertThat(e.call()).isEqualTo("ioctl(FS_IOC_GETFSMAP)");
                assertThat(e.target()).isEqualTo(procFile.toString());
                assertThat(e.isUnsupported()).as("errno %d", e.errno()).isTrue();
                assertThat(e.getMessage()).startsWith("ioctl(FS_IOC_GETFSMAP) on /proc/self/status failed: "
                        + NativeCallException.errnoName(e.errno()) + " (");
            });
        }
    }

    @Test
    void namesThePathAndEnoentOfAMissingFile() {
        Path missing = Path.of("/nonexistent-daxguard-" + ProcessHandle.current().pid());

        NativeCallException refused = catchThrowableOfType(NativeCallException.class,
                () -> NativeFile.openReadOnly(missing));

        assertThat(refused.getMessage())
                .isEqualTo("open on " + missing + " failed: ENOENT (No such file or directory)");
    }
}
