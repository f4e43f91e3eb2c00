package io.daxguard.agent.remote;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.daxguard.agent.AgentFiles;
import io.daxguard.agent.config.ConfigLoader;
import io.daxguard.agent.daemon.AgentService;
import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.AuditEntry;
import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.ScratchFilesystem;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** An action over the HTTP bridge is audited under the HTTP user who asked for it, on a real XFS. */
@Tag("mount")
class JolokiaBridgeAuditTest {
    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    static Path home;
    private static MBeanServer server;
    private static AgentService service;
    private static String control;

    @BeforeAll
    static void startAgentWithTheBridge() throws Exception {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/jmxremote.password"), "operator o-secret\n");
        Files.writeString(home.resolve("conf/jmxremote.access"), "operator control\n");
        int port = RemoteJmxAgent.freePort();
        server = MBeanServerFactory.createMBeanServer();
        service = AgentService.init(ConfigLoader.parse("test", """
                watch: ["%s"]
                stateDirectory: %s
                sources:
                  kmsg: false
                  trace: false
                http:
                  enabled: true
                  port: %d
                """.formatted(System.getProperty("java.io.tmpdir"), home.resolve("state"), port)), home, server);
        service.start();
        control = "http://127.0.0.1:" + port + "/jolokia/control";
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (server != null) {
            MBeanServerFactory.releaseMBeanServer(server);
        }
    }

    private static JsonNode asOperator(Map<String, Object> request) throws Exception {
        HttpResponse<String> answer = CLIENT.send(HttpRequest.newBuilder(URI.create(control))
                .timeout(Duration.ofSeconds(120))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "operator:o-secret".getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request))).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode json = JSON.readTree(answer.body());
        assertThat(json.path("status").asInt()).as(answer.body()).isEqualTo(200);
        return json;
    }

    @Test
    void theHistoryNamesTheHttpUser() throws Exception {
        Path file = XFS.path("audited.bin");
        AgentFiles.writeFile(file, 64 * 1024, 21);
        Command.run("sync", "-f", XFS.mountPoint().toString());
        long sector = AgentFiles.extents(file).get(0).physical() / 512;
        asOperator(Map.of("type", "exec", "mbean", ObjectNames.agent().toString(), "operation", "reportFailure",
                "arguments", List.of(XFS.device().getFileName().toString(), sector, 1, 5)));
        ObjectName damaged = ObjectNames.damagedFile(XFS.mountPoint().toString(), "/audited.bin");

        asOperator(Map.of("type", "exec", "mbean", damaged.toString(), "operation", "acknowledgeLoss",
                "arguments", List.of("scratch data")));

        // Closed damage has no MBean left to show its History: the ledger's audit trail is read directly.
        DamageLedger ledger = service.agent().orElseThrow().ledger();
        List<AuditEntry> trail = ledger.records().stream().flatMap(record -> record.owners().stream())
                .map(AffectedOwner::fileKey).flatMap(Optional::stream).distinct()
                .flatMap(key -> ledger.history(key).stream()).toList();
        assertThat(trail).filteredOn(entry -> entry.action().equals("acknowledgeLoss"))
                .extracting(AuditEntry::principal).containsExactly("operator");
    }
}
