package io.daxguard.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LinuxPathTest {
    private static LinuxPath bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return LinuxPath.of(bytes);
    }

    @Test
    void showsValidUtf8AsItIs() {
        assertThat(LinuxPath.ofText("/data/données/日本語 🙂").display())
                .isEqualTo("/data/données/日本語 🙂");
    }

    @Test
    void showsEachByteThatIsNotUtf8AsAnEscape() {
        assertThat(bytes('c', 'a', 'f', 0xe9).display()).isEqualTo("caf\\xe9");
    }

    @Test
    void showsABackslashDoubledSoThatNoNameLooksLikeAnEscape() {
        assertThat(LinuxPath.ofText("caf\\xe9").display()).isEqualTo("caf\\\\xe9");
    }

    @Test
    void escapesTheBytesOfOverlongFormsSurrogatesAndTruncatedSequences() {
        assertThat(bytes(0xc0, 0xaf).display()).isEqualTo("\\xc0\\xaf");
        assertThat(bytes(0xed, 0xa0, 0x80).display()).isEqualTo("\\xed\\xa0\\x80");
        assertThat(bytes('a', 0xe2, 0x82).display()).isEqualTo("a\\xe2\\x82");
        assertThat(bytes(0xf4, 0x90, 0x80, 0x80).display()).isEqualTo("\\xf4\\x90\\x80\\x80");
    }

    @Test
    void escapesControlCharactersAndLineSeparatorsSoThatANameStaysOneLineOfPlainText() {
        LinuxPath name = LinuxPath.ofText("/a\nb\u001b[2J\u007f\u0085\u2028c");

        assertThat(name.display()).isEqualTo("/a\\x0ab\\x1b[2J\\x7f\\xc2\\x85\\xe2\\x80\\xa8c");
        assertThat(LinuxPath.fromDisplay(name.display())).isEqualTo(name);
    }

    @Test
    void readsTheDisplayFormBackToTheSameBytes() {
        LinuxPath name = bytes('/', 'r', 0xe9, 's', '\\', 'x', 'e', '9', 0xc3, 0xa9, 0xff, '/', 'x');

        assertThat(LinuxPath.fromDisplay(name.display())).isEqualTo(name);
    }

    @Test
    void readsAnyBytesBackFromTheirDisplayForm() {
        Random random = new Random(11);
        for (int round = 0; round < 10_000; round++) {
            byte[] bytes = new byte[random.nextInt(12)];
            random.nextBytes(bytes);
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = bytes[i] == 0 ? (byte) '\\' : bytes[i];
            }
            LinuxPath name = LinuxPath.of(bytes);

            assertThat(LinuxPath.fromDisplay(name.display())).as(name.display()).isEqualTo(name);
        }
    }

    @Test
    void takesUpperCaseEscapesAndALoneBackslashLiterally() {
        assertThat(LinuxPath.fromDisplay("caf\\xE9")).isEqualTo(bytes('c', 'a', 'f', 0xe9));
        assertThat(LinuxPath.fromDisplay("a\\b")).isEqualTo(LinuxPath.ofText("a\\b"));
        assertThat(LinuxPath.fromDisplay("end\\")).isEqualTo(LinuxPath.ofText("end\\"));
    }

    @Test
    void refusesANulByte() {
        assertThatThrownBy(() -> LinuxPath.fromDisplay("a\\x00b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void joinsAMountRelativePathBelowTheMountPoint() {
        LinuxPath mount = bytes('/', 'm', 0xe9);

        assertThat(mount.join(LinuxPath.ofText("/dir/file")).display()).isEqualTo("/m\\xe9/dir/file");
        assertThat(LinuxPath.ROOT.join(LinuxPath.ofText("a"))).isEqualTo(LinuxPath.ofText("/a"));
    }

    @ParameterizedTest(name = "\"{0}\" and \"{1}\" -> \"{2}\"")
    @CsvSource(delimiter = '|', value = {
        "/          | /usr/share/doc/x | /usr/share/doc/x",
        "/mnt/data  | /usr/share/doc/x | /mnt/data/usr/share/doc/x",
        "/mnt/data/ | /dir/file        | /mnt/data/dir/file",
        "/          | /                | /",
        "/mnt/data  | /                | /mnt/data",
        "/          | /caf\\xe9/\\xff | /caf\\xe9/\\xff",
        "/m\\xe9    | /a\\\\b          | /m\\xe9/a\\\\b"})
    void joinsAMountPointAndAPathInsideItInDisplayForm(String mountPoint, String relative, String joined) {
        assertThat(LinuxPath.joinDisplayed(mountPoint, relative)).isEqualTo(joined);
    }

    @Test
    void componentsFoundOneNameAtATimeBecomeOneRelativePath() {
        List<LinuxPath> components = List.of(LinuxPath.ofText("dir"), bytes('s', 0xff), LinuxPath.ofText("file"));

        assertThat(LinuxPath.ofComponents(components).display()).isEqualTo("dir/s\\xff/file");
        assertThat(LinuxPath.ROOT.join(LinuxPath.ofComponents(components)).display()).isEqualTo("/dir/s\\xff/file");
        assertThat(LinuxPath.ofComponents(List.of()).length()).isZero();
        assertThat(LinuxPath.ofText("/mnt").join(LinuxPath.ofComponents(List.of()))).isEqualTo(LinuxPath.ofText("/mnt"));
    }

    @Test
    void theRootMountPointJoinsWithoutADoubleSlash() {
        assertThat(LinuxPath.ROOT.join(LinuxPath.ofText("/usr/share/doc/x"))).isEqualTo(
                LinuxPath.ofText("/usr/share/doc/x"));
    }

    @Test
    void splitsIntoComponentsAndKnowsItsParent() {
        LinuxPath path = LinuxPath.ofText("/a//b/c/");

        assertThat(path.components()).containsExactly(LinuxPath.ofText("a"), LinuxPath.ofText("b"),
                LinuxPath.ofText("c"));
        assertThat(LinuxPath.ofText("/a/b/c").parent()).isEqualTo(LinuxPath.ofText("/a/b"));
        assertThat(LinuxPath.ofText("/a").parent()).isEqualTo(LinuxPath.ROOT);
        assertThat(path.fileName()).isEqualTo(LinuxPath.ofText("c"));
    }

    @Test
    void startsWithWholeComponentsOnly() {
        assertThat(LinuxPath.ofText("/tmp/x/mnt").startsWith(LinuxPath.ofText("/tmp"))).isTrue();
        assertThat(LinuxPath.ofText("/tmpfoo").startsWith(LinuxPath.ofText("/tmp"))).isFalse();
    }

    @Test
    void encodesAJdkPathAsTheJdkDoes() {
        // "é" only where the JDK can name it (not under LANG=C, where Path.of refuses it).
        String text = Charset.forName(System.getProperty("sun.jnu.encoding")).newEncoder().canEncode("é") ? "/tmp/é" : "/tmp/e";
        assertThat(LinuxPath.of(java.nio.file.Path.of(text)).bytes())
                .isEqualTo(text.getBytes(Charset.forName(System.getProperty("sun.jnu.encoding"))));
    }

    @Test
    void ordersByUnsignedBytes() {
        assertThat(bytes('a', 0xe9)).isGreaterThan(bytes('a', 'z'));
        assertThat(LinuxPath.ofText("é").bytes()).isEqualTo("é".getBytes(StandardCharsets.UTF_8));
    }
}
