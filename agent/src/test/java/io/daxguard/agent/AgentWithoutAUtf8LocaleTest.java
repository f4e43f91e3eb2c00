package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.testkit.Privileges;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An agent in a child JVM started as a service may be, with {@code LANG=C} or no locale at all (the JVM's charset is
 * then ASCII), on an XFS mounted at a directory whose name has a Latin-1 byte and a UTF-8 é ({@code mnt-\xe9-é}),
 * with files named with Latin-1 bytes ({@link ByteNamesAgentDriver}). The child runs in a mount namespace of its own
 * ({@code unshare --mount}), so its mount, whose name is not UTF-8, is never in the mount table of anything else
 * running on the host; it unmounts its copies of the host's other {@code /tmp} mounts before it starts, so it holds
 * nobody else's filesystem.
 */
@Tag("mount")
class AgentWithoutAUtf8LocaleTest {
    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd("unshare", "mkfs.xfs", "losetup", "mount", "umount");
    }

    /** Runs the driver; returns its {@code key value} lines by key, and everything it printed. */
    private static Map<String, String> runDriver(String lang, List<String> everything) throws Exception {
        return LocaleDriverRun.run(ByteNamesAgentDriver.class, lang, everything);
    }

    @ParameterizedTest(name = "LANG={0}")
    @ValueSource(strings = {"C", ""})
    void resolvesShowsAndRepairsFilesNamedWithLatin1BytesOnAMountPointNamedSo(String lang) throws Exception {
        List<String> everything = new ArrayList<>();

        Map<String, String> seen = runDriver(lang, everything);

        String output = String.join("\n", everything);
        assertThat(seen.get("encoding")).as(output).isEqualTo("ANSI_X3.4-1968");
        assertThat(seen).as(output).containsKey("started");
        assertThat(seen.get("filesystems")).as(output).contains("/mnt/mnt-\\xe9-\\u00e9");
        assertThat(seen.get("summary")).as(output).contains("/mnt/mnt-\\xe9-\\u00e9/caf\\xe9-verify.bin");
        assertThat(seen.get("path")).as(output).isEqualTo("/caf\\xe9-verify.bin");
        assertThat(seen.get("filesystem")).as(output).endsWith("/mnt/mnt-\\xe9-\\u00e9");
        assertThat(seen.get("verify")).as(output).isEqualTo("VERIFIED_GOOD");
        assertThat(seen.get("rewrite")).as(output).isEqualTo("REWRITTEN");
        assertThat(seen).as(output).containsKey("done");
    }
}
