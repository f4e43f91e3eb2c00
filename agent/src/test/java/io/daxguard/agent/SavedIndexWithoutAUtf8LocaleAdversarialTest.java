package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.testkit.Privileges;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An agent run with {@code LANG=C} or no locale (the JVM's charset is then ASCII), restarted from its saved index of
 * an ext4 mounted on {@code mnt-\xe9-é}, names files whose names are not UTF-8 by their exact bytes, the one made
 * before the save and the one made while it was down ({@link SavedIndexByteNamesAgentDriver}). The child runs in a
 * mount namespace of its own, as in {@link AgentWithoutAUtf8LocaleTest}.
 */
@Tag("mount")
class SavedIndexWithoutAUtf8LocaleAdversarialTest {
    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd("unshare", "mkfs.ext4", "losetup", "mount", "umount");
    }

    /** Runs the driver; returns its {@code key value} lines by key, and everything it printed. */
    private static Map<String, String> runDriver(String lang, List<String> everything) throws Exception {
        return LocaleDriverRun.run(SavedIndexByteNamesAgentDriver.class, lang, everything);
    }

    @ParameterizedTest(name = "LANG={0}")
    @ValueSource(strings = {"C", ""})
    void filesNamedWithBytesThatAreNotUtf8AreNamedExactlyAfterARestartFromTheSavedIndex(String lang)
            throws Exception {
        List<String> everything = new ArrayList<>();

        Map<String, String> seen = runDriver(lang, everything);

        String output = String.join("\n", everything);
        assertThat(seen.get("encoding")).as(output).isEqualTo("ANSI_X3.4-1968");
        assertThat(seen.get("saved")).as("a saved index: %s", output).isEqualTo("1");
        assertThat(output).as("the second agent loaded it").contains("loaded the saved reverse-map index");
        assertThat(seen.get("first")).as(output).isEqualTo("[[/caf\\xe9-\\u00e9-\\xff.bin]]");
        assertThat(seen.get("second")).as(output).isEqualTo("[[/caf\\xe9-\\u00e9-\\xff.bin]]");
        assertThat(seen.get("down")).as(output).isEqualTo("[[/\\x80\\xfe-down.bin]]");
        assertThat(seen.get("summary")).as(output).contains("/mnt/mnt-\\xe9-\\u00e9/\\x80\\xfe-down.bin");
        assertThat(seen).as(output).containsKey("done");
    }
}
