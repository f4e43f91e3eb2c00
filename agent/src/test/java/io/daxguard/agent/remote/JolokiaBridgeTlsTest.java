package io.daxguard.agent.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.agent.config.ConfigLoader;
import io.daxguard.agent.daemon.Agent;
import io.daxguard.agent.daemon.AgentService;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP bridge over HTTPS with client certificates required, configured as remote JMX's TLS is. */
class JolokiaBridgeTlsTest {
    @TempDir
    static Path home;
    private static Path conf;
    private static MBeanServer server;
    private static AgentService service;
    private static int port;

    @BeforeAll
    static void startAgentWithTheBridgeOverTls() throws Exception {
        conf = Files.createDirectories(home.resolve("conf"));
        TestKeys.keyPair("agent", conf.resolve("agent.p12"), conf.resolve("agent.crt"));
        TestKeys.keyPair("client", conf.resolve("client.p12"), conf.resolve("client.crt"));
        TestKeys.trust(conf.resolve("client.crt"), conf.resolve("agent-trust.p12"));
        TestKeys.trust(conf.resolve("agent.crt"), conf.resolve("client-trust.p12"));
        Files.writeString(conf.resolve("jmxremote.password"), "watcher w-secret\n");
        Files.writeString(conf.resolve("jmxremote.access"), "watcher monitor\n");
        port = RemoteJmxAgent.freePort();
        server = MBeanServerFactory.createMBeanServer();
        service = AgentService.init(ConfigLoader.parse("test", """
                watch: ["%s"]
                stateDirectory: %s
                http:
                  enabled: true
                  port: %d
                  tls:
                    enabled: true
                    keyStore: conf/agent.p12
                    keyStorePassword: %s
                    trustStore: conf/agent-trust.p12
                    trustStorePassword: %s
                    needClientAuth: true
                """.formatted(System.getProperty("java.io.tmpdir"), home.resolve("state"), port,
                TestKeys.STORE_PASSWORD, TestKeys.STORE_PASSWORD)), home, server);
        service.start();
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        MBeanServerFactory.releaseMBeanServer(server);
    }

    private static HttpResponse<String> readVersion(String scheme, SSLContext tls) throws IOException,
            InterruptedException {
        HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30));
        if (tls != null) {
            client.sslContext(tls);
        }
        return client.build().send(HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + port
                        + "/jolokia/monitor/read/io.daxguard:type=Agent/Version"))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "watcher:w-secret".getBytes(StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aClientWithATrustedCertificateReadsOverHttps() throws Exception {
        HttpResponse<String> answer = readVersion("https", TestKeys.clientContext(conf.resolve("client.p12"),
                conf.resolve("client-trust.p12")));

        assertThat(answer.body()).contains("\"value\":\"" + Agent.version() + "\"");
    }

    @Test
    void aClientWithoutACertificateIsRefused() {
        assertThatThrownBy(() -> readVersion("https", TestKeys.clientContext(null, conf.resolve("client-trust.p12"))))
                .isInstanceOf(IOException.class);
    }

    @Test
    void plainHttpGetsNoAnswer() {
        assertThatThrownBy(() -> readVersion("http", null)).isInstanceOf(IOException.class);
    }
}
