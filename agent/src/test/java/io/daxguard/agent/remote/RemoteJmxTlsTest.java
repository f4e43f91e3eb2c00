package io.daxguard.agent.remote;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.daemon.Agent;
import io.daxguard.agent.daemon.AgentService;
import io.daxguard.testkit.Command;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remote JMX over TLS with client certificates required: keys made by keytool, each client a fresh JVM
 * ({@link TlsClientProbe}) connecting over real RMI/TLS.
 */
class RemoteJmxTlsTest {
    private static final String STORE_PASSWORD = TestKeys.STORE_PASSWORD;

    @TempDir
    static Path home;
    private static AgentService service;
    private static String url;

    @BeforeAll
    static void startAgentWithTls() throws Exception {
        Path conf = Files.createDirectories(home.resolve("conf"));
        keyPair("agent", conf.resolve("agent.p12"), conf.resolve("agent.crt"));
        keyPair("client", conf.resolve("client.p12"), conf.resolve("client.crt"));
        keyPair("intruder", conf.resolve("intruder.p12"), conf.resolve("intruder.crt"));
        trust(conf.resolve("client.crt"), conf.resolve("agent-trust.p12"));
        trust(conf.resolve("agent.crt"), conf.resolve("client-trust.p12"));
        Files.writeString(conf.resolve("jmxremote.password"), "operator operator-secret\n");
        Files.writeString(conf.resolve("jmxremote.access"), "operator control\n");
        service = RemoteJmxAgent.start(home, """
                    tls:
                      enabled: true
                      keyStore: conf/agent.p12
                      keyStorePassword: %s
                      trustStore: conf/agent-trust.p12
                      trustStorePassword: %s
                      needClientAuth: true
                """.formatted(STORE_PASSWORD, STORE_PASSWORD));
        url = service.remoteAddress().orElseThrow().toString();
    }

    @AfterAll
    static void stopAgent() {
        if (service != null) {
            service.close();
        }
    }

    private static void keyPair(String name, Path store, Path certificate) throws IOException {
        TestKeys.keyPair(name, store, certificate);
    }

    private static void trust(Path certificate, Path store) throws IOException {
        TestKeys.trust(certificate, store);
    }

    /** Runs a client JVM with the given TLS identity (may be null) and trust (may be null). */
    private static Command.Result client(String keyStore, String trustStore) throws IOException {
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path")));
        if (keyStore != null) {
            argv.addAll(List.of("-Djavax.net.ssl.keyStore=" + home.resolve("conf/" + keyStore),
                    "-Djavax.net.ssl.keyStorePassword=" + STORE_PASSWORD));
        }
        if (trustStore != null) {
            argv.addAll(List.of("-Djavax.net.ssl.trustStore=" + home.resolve("conf/" + trustStore),
                    "-Djavax.net.ssl.trustStorePassword=" + STORE_PASSWORD));
        }
        argv.addAll(List.of(TlsClientProbe.class.getName(), url, "operator", "operator-secret"));
        return Command.tryRun(argv.toArray(String[]::new));
    }

    @Test
    void aClientWithATrustedCertificateConnects() throws Exception {
        Command.Result result = client("client.p12", "client-trust.p12");

        assertThat(result.stdout().trim()).as("%s", result).isEqualTo(Agent.version());
    }

    @Test
    void aClientWithoutACertificateIsRefused() throws Exception {
        Command.Result result = client(null, "client-trust.p12");

        assertThat(result.exitCode()).as("%s", result).isEqualTo(1);
    }

    @Test
    void aClientWithAnUntrustedCertificateIsRefused() throws Exception {
        Command.Result result = client("intruder.p12", "client-trust.p12");

        assertThat(result.exitCode()).as("%s", result).isEqualTo(1);
    }

    @Test
    void aClientThatDoesNotTrustTheAgentsCertificateRefusesToTalk() throws Exception {
        Command.Result result = client("client.p12", null);

        assertThat(result.exitCode()).as("%s", result).isEqualTo(1);
    }
}
