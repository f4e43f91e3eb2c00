package io.daxguard.support.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** mountinfo's octal escapes, as a tool reading other fields of the table decodes them. */
class MountInfoTest {
    private static byte[] unescaped(String field) {
        return MountInfo.unescape(field.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void decodesTheEscapesTheKernelWritesForSpaceTabNewlineAndBackslash() {
        assertThat(unescaped("/mnt/a\\040b\\011c\\012d\\134e")).isEqualTo("/mnt/a b\tc\nd\\e".getBytes(
                StandardCharsets.ISO_8859_1));
    }

    @Test
    void leavesABackslashNotFollowedByThreeOctalDigitsAsItIs() {
        assertThat(unescaped("/a\\x/b\\04")).isEqualTo("/a\\x/b\\04".getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void keepsBytesThatAreNotUtf8() {
        assertThat(unescaped("/caf\u00e9")).containsExactly('/', 'c', 'a', 'f', 0xe9 - 256);
    }
}
