package io.daxguard.agent.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import javax.management.AttributeChangeNotification;
import javax.management.Notification;
import javax.management.openmbean.ArrayType;
import javax.management.openmbean.CompositeDataSupport;
import javax.management.openmbean.CompositeType;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;
import org.junit.jupiter.api.Test;

/** How a notification is handed to a hook: its items as DAXGUARD_* variables and as one JSON object. */
class HookEventTest {
    private static Notification damage() throws Exception {
        CompositeType type = new CompositeType("T", "T",
                new String[] {"device", "filesystemOffset", "errno", "shared", "paths"},
                new String[] {"device", "filesystemOffset", "errno", "shared", "paths"},
                new OpenType<?>[] {SimpleType.STRING, SimpleType.LONG, SimpleType.INTEGER, SimpleType.BOOLEAN,
                    ArrayType.getArrayType(SimpleType.STRING)});
        Notification notification = new Notification("io.daxguard.file.damaged", "io.daxguard:type=Agent", 7, 0,
                "/mnt: /a data");
        notification.setUserData(new CompositeDataSupport(type,
                new String[] {"device", "filesystemOffset", "errno", "shared", "paths"},
                new Object[] {"loop3", 4096L, 5, false, new String[] {"/a", "/caf\\xe9"}}));
        return notification;
    }

    @Test
    void eachItemIsAVariableNamedInCapitalsWithUnderscores() throws Exception {
        assertThat(HookEvent.of(damage()).environment()).containsEntry("DAXGUARD_DEVICE", "loop3")
                .containsEntry("DAXGUARD_FILESYSTEM_OFFSET", "4096").containsEntry("DAXGUARD_ERRNO", "5")
                .containsEntry("DAXGUARD_SHARED", "false").containsEntry("DAXGUARD_EVENT", "io.daxguard.file.damaged")
                .containsEntry("DAXGUARD_SEQUENCE", "7").containsEntry("DAXGUARD_SUMMARY", "/mnt: /a data");
    }

    @Test
    void aListOfTextIsOneLinePerElement() throws Exception {
        assertThat(HookEvent.of(damage()).environment()).containsEntry("DAXGUARD_PATHS", "/a\n/caf\\xe9");
    }

    @Test
    void theJsonHasTheSameItemsWithTheirTypes() throws Exception {
        JsonNode json = new ObjectMapper().readTree(HookEvent.of(damage()).json());

        assertThat(json.get("filesystemOffset").isLong() || json.get("filesystemOffset").isInt()).isTrue();
        assertThat(json.get("shared").isBoolean()).isTrue();
        assertThat(json.get("paths").get(1).asText()).isEqualTo("/caf\\xe9");
        assertThat(json.get("event").asText()).isEqualTo("io.daxguard.file.damaged");
    }

    @Test
    void aStateChangeNamesTheMBeanTheAttributeAndBothValues() {
        AttributeChangeNotification change = new AttributeChangeNotification("io.daxguard:type=DamagedFile,path=\"/a\"",
                3, 0, "State OPEN -> REWRITTEN", "State", "java.lang.String", "OPEN", "REWRITTEN");

        assertThat(HookEvent.of(change).environment()).containsEntry("DAXGUARD_ATTRIBUTE", "State")
                .containsEntry("DAXGUARD_OLD_VALUE", "OPEN").containsEntry("DAXGUARD_NEW_VALUE", "REWRITTEN")
                .containsEntry("DAXGUARD_MBEAN", "io.daxguard:type=DamagedFile,path=\"/a\"");
    }

    private static Notification withPaths(String[] paths, String summary) throws Exception {
        CompositeType type = new CompositeType("T", "T", new String[] {"device", "paths"},
                new String[] {"device", "paths"},
                new OpenType<?>[] {SimpleType.STRING, ArrayType.getArrayType(SimpleType.STRING)});
        Notification notification = new Notification("io.daxguard.file.damaged", "io.daxguard:type=Agent", 7, 0,
                summary);
        notification.setUserData(new CompositeDataSupport(type, new String[] {"device", "paths"},
                new Object[] {"loop3", paths}));
        return notification;
    }

    private static String[] hundredsOfLongNames() {
        String[] paths = new String[800];
        for (int i = 0; i < paths.length; i++) {
            paths[i] = "/links/" + "x".repeat(230) + i;
        }
        return paths;
    }

    private static long execBytes(java.util.Map<String, String> environment) {
        return environment.entrySet().stream().mapToLong(entry -> (entry.getKey() + "=" + entry.getValue())
                .getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1 + Long.BYTES).sum();
    }

    @Test
    void aListTooLongForOneVariableIsCutAtALineWithItsCount() throws Exception {
        String[] paths = hundredsOfLongNames();

        java.util.Map<String, String> environment = HookEvent.of(withPaths(paths, "s")).environment();

        String kept = environment.get("DAXGUARD_PATHS");
        assertThat(kept.getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(
                HookEvent.VARIABLE_BYTES);
        assertThat(kept.split("\n")).isNotEmpty().allSatisfy(line -> assertThat(paths).contains(line));
        assertThat(environment).containsEntry("DAXGUARD_PATHS_TRUNCATED", "1")
                .containsEntry("DAXGUARD_PATHS_COUNT", "800");
    }

    @Test
    void theJsonKeepsEveryElementOfACutList() throws Exception {
        JsonNode json = new ObjectMapper().readTree(HookEvent.of(withPaths(hundredsOfLongNames(), "s")).json());

        assertThat(json.get("paths")).hasSize(800);
    }

    @Test
    void aListThatFitsHasNoMarker() throws Exception {
        assertThat(HookEvent.of(damage()).environment()).doesNotContainKeys("DAXGUARD_PATHS_TRUNCATED",
                "DAXGUARD_PATHS_COUNT", "DAXGUARD_TRUNCATED");
    }

    @Test
    void aLongTextIsCutBetweenCharactersAndMarked() throws Exception {
        String summary = "\u00e9".repeat(100_000);

        java.util.Map<String, String> environment = HookEvent.of(withPaths(new String[] {"/a"}, summary))
                .environment();

        assertThat(environment.get("DAXGUARD_SUMMARY")).endsWith("...").startsWith("\u00e9\u00e9");
        assertThat(environment.get("DAXGUARD_SUMMARY").getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .hasSizeLessThanOrEqualTo(HookEvent.VARIABLE_BYTES);
        assertThat(environment).containsEntry("DAXGUARD_SUMMARY_TRUNCATED", "1").containsEntry("DAXGUARD_PATHS", "/a");
    }

    @Test
    void theWholeEnvironmentStaysWithinItsBoundWhateverTheFields() throws Exception {
        int fields = 40;
        String[] names = new String[fields];
        OpenType<?>[] types = new OpenType<?>[fields];
        Object[] values = new Object[fields];
        for (int i = 0; i < fields; i++) {
            names[i] = "item" + i;
            types[i] = SimpleType.STRING;
            values[i] = "v".repeat(40_000);
        }
        Notification notification = new Notification("io.daxguard.file.damaged", "io.daxguard:type=Agent", 7, 0,
                "s");
        notification.setUserData(new CompositeDataSupport(new CompositeType("T", "T", names, names, types), names,
                values));

        java.util.Map<String, String> environment = HookEvent.of(notification).environment();

        assertThat(execBytes(environment)).isLessThanOrEqualTo(HookEvent.ENVIRONMENT_BYTES);
        assertThat(environment).containsEntry("DAXGUARD_EVENT", "io.daxguard.file.damaged")
                .containsEntry("DAXGUARD_ITEM0_TRUNCATED", "1").containsEntry("DAXGUARD_TRUNCATED", "1");
    }
}
