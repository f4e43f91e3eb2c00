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
}
