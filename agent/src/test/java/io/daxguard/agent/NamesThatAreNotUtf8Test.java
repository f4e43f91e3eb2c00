package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Memory;
import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.testkit.ByteNames;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import javax.management.ObjectName;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Files whose names are bytes that are not UTF-8 (Latin-1 {@code 0xE9}, made by {@code renameat2}, never through
 * a Java String), on XFS (the agent walks the tree for names) and ext4 (the index's names): each is found as the
 * owner of a reported failure, shown with its bytes escaped ({@code \xe9}) on the DamagedFile MBean and in the
 * status, and repaired by that name.
 */
@Tag("mount")
class NamesThatAreNotUtf8Test {
    private static final int FILE_SIZE = 64 * 1024;
    private static final long DAMAGED_PAGE = 2 * 4096;
    /** A directory called {@code d\xe9j\xe0}: two Latin-1 bytes. */
    private static final LinuxPath DIRECTORY = ByteNames.latin1("d\u00e9j\u00e0");
    private static final String DIRECTORY_SHOWN = "/d\\xe9j\\xe0";

    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().build();

    @RegisterExtension
    static final ScratchFilesystem EXT4 = ScratchFilesystem.ext4().mkfsOptions("-b", "4096").build();

    @RegisterExtension
    @Order(Integer.MAX_VALUE) // after the filesystems: started once they are mounted, stopped before they go
    static final RunningAgent AGENT = RunningAgent.startedAfter(NamesThatAreNotUtf8Test::writeFiles);

    /** Where each test's file starts on its device, by filesystem and display name. */
    private static final Map<String, Long> FIRST_BYTE = new HashMap<>();

    /**
     * Per filesystem, one file per test in {@code d\xe9j\xe0}: a Latin-1 byte, a space and a valid UTF-8 é in each
     * name ({@code caf\xe9 é <test>.bin}), and one with a backslash.
     */
    private static void writeFiles() throws Exception {
        for (ScratchFilesystem fs : new ScratchFilesystem[] {XFS, EXT4}) {
            ByteNames.makeDirectory(fs.mountPointBytes().join(DIRECTORY));
            for (String test : new String[] {"named", "status", "verify", "rewrite", "quarantine", "back\\slash"}) {
                Path plain = fs.path("plain-" + test.replace('\\', '-'));
                AgentFixture.writeFile(plain, FILE_SIZE, test.hashCode());
                FIRST_BYTE.put(key(fs, test), AgentFixture.extents(plain).get(0).physical());
                ByteNames.rename(plain, file(fs, test));
            }
        }
    }

    @BeforeAll
    static void awaitTheIndexOfExt4() throws Exception {
        assertThat(AGENT.remote().invoke(ObjectNames.filesystem(EXT4.mountPoint().toString()), "awaitReverseMap",
                new Object[] {60}, new String[] {"int"})).as("index built").isEqualTo(true);
    }

    /** By type, not the fixtures themselves: JUnit closes AutoCloseable arguments after each invocation. */
    static Stream<String> filesystems() {
        return Stream.of("xfs", "ext4");
    }

    private static ScratchFilesystem fs(String type) {
        return type.equals("xfs") ? XFS : EXT4;
    }

    /** The bytes of the file of {@code test}: {@code c a f 0xE9 ' ' 0xC3 0xA9 ' ' <test> .bin}. */
    private static LinuxPath file(ScratchFilesystem fs, String test) {
        return fs.mountPointBytes().join(DIRECTORY).join(LinuxPath.fromDisplay("caf\\xe9 é "
                + test.replace("\\", "\\\\") + ".bin"));
    }

    /** Its path as the agent shows it. */
    private static String shown(String test) {
        return DIRECTORY_SHOWN + "/caf\\xe9 é " + test.replace("\\", "\\\\") + ".bin";
    }

    private static String key(ScratchFilesystem fs, String test) {
        return fs.type() + " " + test;
    }

    /** Reports the first sector of the file's third page as failed; returns the summary and the file's MBean. */
    private static ObjectName damage(ScratchFilesystem fs, String test) throws Exception {
        long sector = (FIRST_BYTE.get(key(fs, test)) + DAMAGED_PAGE) / 512;
        String summary = (String) AGENT.remote().invoke(ObjectNames.agent(), "reportFailure",
                new Object[] {fs.device().getFileName().toString(), sector, 1L, 5},
                new String[] {"java.lang.String", "long", "long", "int"});
        assertThat(summary).as("the failure's owner").contains(shown(test));
        return ObjectNames.damagedFile(fs.mountPoint().toString(), shown(test));
    }

    private static Object invoke(ObjectName name, String operation, String... arguments) throws Exception {
        String[] signature = new String[arguments.length];
        java.util.Arrays.fill(signature, "java.lang.String");
        return AGENT.remote().invoke(name, operation, arguments, signature);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filesystems")
    void theOwnerOfAFailureIsNamedWithItsBytesEscaped(String type) throws Exception {
        ScratchFilesystem fs = fs(type);
        ObjectName name = damage(fs, "named");

        assertThat(AGENT.remote().getAttribute(name, "Path")).isEqualTo(shown("named"));
        assertThat(AGENT.remote().getAttribute(name, "Size")).as("found again by its bytes")
                .isEqualTo((long) FILE_SIZE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filesystems")
    void aBackslashInANameIsShownDoubledSoThatItReadsBackToTheSameBytes(String type) throws Exception {
        ScratchFilesystem fs = fs(type);
        ObjectName name = damage(fs, "back\\slash");

        assertThat(AGENT.remote().getAttribute(name, "Path"))
                .isEqualTo(DIRECTORY_SHOWN + "/caf\\xe9 é back\\\\slash.bin");
        String result = (String) invoke(name, "verify");
        assertThat(FileStates.of(AGENT.remote(), name)).as(result).isEqualTo("VERIFIED_GOOD");
    }

    @Test
    void theStatusShowsTheNameEscaped() throws Exception {
        damage(XFS, "status");

        String status = (String) AGENT.remote().invoke(ObjectNames.agent(), "status", new Object[0], new String[0]);

        assertThat(status).contains(shown("status"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filesystems")
    void verifyReadsTheFileThroughItsBytes(String type) throws Exception {
        ScratchFilesystem fs = fs(type);
        ObjectName name = damage(fs, "verify");

        String result = (String) invoke(name, "verify");

        assertThat(FileStates.of(AGENT.remote(), name)).as(result).isEqualTo("VERIFIED_GOOD");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filesystems")
    void rewriteZerosConfirmedByTheEscapedNameWritesTheFileItNames(String type) throws Exception {
        ScratchFilesystem fs = fs(type);
        ObjectName name = damage(fs, "rewrite");

        String result = (String) invoke(name, "forceRewriteZeros", shown("rewrite"));

        assertThat(FileStates.of(AGENT.remote(), name)).as(result).isEqualTo("REWRITTEN");
        assertThat(page(file(fs, "rewrite"), DAMAGED_PAGE)).containsOnly(0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filesystems")
    void quarantineMovesTheFileKeepingTheBytesOfItsName(String type) throws Exception {
        ScratchFilesystem fs = fs(type);
        ObjectName name = damage(fs, "quarantine");
        long inode = (Long) AGENT.remote().getAttribute(name, "Inode");
        long generation = (Long) AGENT.remote().getAttribute(name, "Generation");

        String result = (String) invoke(name, "quarantine");

        String moved = "/.daxguard-quarantine/" + inode + "-" + generation + "-caf\\xe9 é quarantine.bin";
        // Its damage is closed, so its MBean is gone: the filesystem lists it under the name the record followed.
        javax.management.openmbean.CompositeData[] listed = (javax.management.openmbean.CompositeData[]) AGENT.remote()
                .invoke(ObjectNames.filesystem(fs.mountPointBytes().display()), "listDamagedFiles",
                        new Object[] {0, 1000}, new String[] {"int", "int"});
        assertThat(listed).as(result).filteredOn(file -> file.get("inode").equals(inode))
                .extracting(file -> file.get("path")).containsExactly(moved);
        assertThat(FileStatus.ofPathNoFollow(fs.mountPointBytes().join(LinuxPath.fromDisplay(moved))).inode())
                .isEqualTo(inode);
    }

    /** One page of a file, read through a descriptor opened by the file's bytes. */
    private static byte[] page(LinuxPath file, long offset) throws Exception {
        try (NativeFile directory = NativeFile.openDirectory(file.parent());
             NativeFile open = directory.openChildNoFollow(file.fileName(), NativeFile.Access.READ);
             Memory buffer = new Memory(4096)) {
            long read = open.pread(buffer, 4096, offset);
            return buffer.getByteArray(0, (int) read);
        }
    }
}
