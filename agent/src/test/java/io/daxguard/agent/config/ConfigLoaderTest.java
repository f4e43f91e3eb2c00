package io.daxguard.agent.config;

import io.daxguard.agent.daemon.AgentSettings;
import io.daxguard.agent.daemon.SettingsMapping;
import io.daxguard.agent.validation.RequestLimits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.agent.daemon.Agent;
import java.nio.file.Path;
import javax.management.MBeanServerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private static ConfigurationException rejection(String yaml) {
        try {
            ConfigLoader.parse("test.yaml", yaml);
        } catch (ConfigurationException expected) {
            return expected;
        }
        throw new AssertionError("accepted:\n" + yaml);
    }

    @Test
    void anEmptyFileIsTheEmbeddedDefault() throws Exception {
        assertThat(ConfigLoader.parse("empty.yaml", "")).isEqualTo(DaxguardConfig.defaults());
    }

    @Test
    void remoteJmxIsOffByDefault() {
        assertThat(DaxguardConfig.defaults().jmx().remote().enabled()).isFalse();
    }

    @Test
    void theShippedConfigurationFileIsTheDefault() throws Exception {
        Path shipped = Path.of("../dist/src/main/conf/daxguard.yaml");

        assertThat(ConfigLoader.load(shipped)).isEqualTo(DaxguardConfig.defaults());
    }

    @Test
    void valuesGivenReplaceDefaultsAndTheRestStay() throws Exception {
        DaxguardConfig config = ConfigLoader.parse("test.yaml", """
                jmx:
                  remote:
                    enabled: true
                    port: 7199
                """);

        assertThat(config.jmx().remote().port()).isEqualTo(7199);
        assertThat(config.jmx().remote().authenticate()).isTrue();
    }

    @Test
    void everyViolationIsListedByFieldPathAndValue() {
        ConfigurationException rejected = rejection("""
                jmx:
                  remote:
                    port: 70000
                mbeans:
                  filesPerFilesystem: -1
                scrub:
                  bytesPerSecond: 10
                """);

        assertThat(rejected.violations()).containsExactly(
                "jmx.remote.port: must be less than or equal to 65535 (was 70000)",
                "mbeans.filesPerFilesystem: must be greater than or equal to 0 (was -1)",
                "scrub.bytesPerSecond: must be greater than or equal to 1048576 (was 10)");
    }

    @Test
    void badHookSettingsAreNamedByFieldAndValue() {
        ConfigurationException rejected = rejection("""
                notify:
                  maxConcurrent: 0
                  queueCapacity: 0
                  exec:
                    - program: hooks/relative.sh
                      events: [io.daxguard.file.damaged, io.daxguard.file.damged]
                      timeoutSeconds: 0
                """);

        assertThat(rejected.violations()).containsExactly(
                "notify.exec[0].events[1].<list element>: is not an event type daxguard announces (known: "
                        + String.join(", ", io.daxguard.agent.jmx.JmxSurface.NOTIFICATION_TYPES)
                        + ") (was \"io.daxguard.file.damged\")",
                "notify.exec[0].program: must be an absolute path (was \"hooks/relative.sh\")",
                "notify.exec[0].timeoutSeconds: must be greater than or equal to 1 (was 0)",
                "notify.maxConcurrent: must be greater than or equal to 1 (was 0)",
                "notify.queueCapacity: must be greater than or equal to 1 (was 0)");
    }

    @Test
    void badSharedLedgerSettingsAreNamedByFieldAndValue() {
        ConfigurationException rejected = rejection("""
                ledger:
                  url: postgres://db.example/daxguard
                  user: agent
                  hostName: "two\\nlines"
                """);

        assertThat(rejected.violations()).containsExactly(
                "ledger.hostName: must not contain control characters (was \"two\\nlines\")",
                "ledger.url: must be jdbc:postgresql://host:port/database (or empty: SQLite in the state directory)"
                        + " (was \"postgres://db.example/daxguard\")");
    }

    @Test
    void aSharedLedgerNeedsAUser() {
        assertThat(rejection("ledger:\n  url: jdbc:postgresql://db.example:5432/daxguard\n").violations())
                .singleElement().asString()
                .startsWith("ledger: user is needed with url");
    }

    @Test
    void theSharedLedgerReachesTheAgentSettingsWithItsPasswordFromTheEnvironment(@TempDir Path home) throws Exception {
        DaxguardConfig config = ConfigLoader.parse("test.yaml", """
                ledger:
                  url: jdbc:postgresql://db.example:5432/daxguard
                  user: agent
                  password: ${LEDGER_SECRET}
                  hostName: rack4-box2
                """, java.util.Map.of("LEDGER_SECRET", "s3cret"));

        io.daxguard.agent.ledger.LedgerSettings ledger = io.daxguard.agent.daemon.SettingsMapping.toSettings(config, home,
                javax.management.MBeanServerFactory.newMBeanServer()).ledger();

        assertThat(ledger.shared()).contains(new io.daxguard.agent.ledger.LedgerDatabase.Postgres(
                "jdbc:postgresql://db.example:5432/daxguard", "agent", "s3cret"));
        assertThat(ledger.hostName()).isEqualTo("rack4-box2");
        assertThat(config.ledger().toString()).doesNotContain("s3cret");
    }

    @Test
    void aHookWithoutAProgramIsNamed() {
        assertThat(rejection("notify:\n  exec:\n    - events: []\n").violations())
                .containsExactly("notify.exec[0].program: must not be null (was null)");
    }

    @Test
    void hooksAreMappedToTheAgentsSettingsWithTheirDefaults(@TempDir Path home) throws Exception {
        DaxguardConfig config = ConfigLoader.parse("test.yaml", "notify:\n  exec:\n    - program: /usr/local/bin/h\n");

        AgentSettings settings = SettingsMapping.toSettings(config, home, MBeanServerFactory.newMBeanServer());

        assertThat(settings.hooks().hooks()).singleElement().satisfies(hook -> {
            assertThat(hook.field()).isEqualTo("notify.exec[0]");
            assertThat(hook.program()).isEqualTo(Path.of("/usr/local/bin/h"));
            assertThat(hook.events()).isEmpty();
            assertThat(hook.timeout()).hasSeconds(30);
        });
        assertThat(settings.hooks().maxConcurrent()).isEqualTo(4);
        assertThat(settings.hooks().queueCapacity()).isEqualTo(256);
    }

    @Test
    void anUnknownKeyIsAnErrorNamingItsPlace() {
        ConfigurationException rejected = rejection("""
                jmx:
                  remote:
                    prot: 7199
                """);

        assertThat(rejected.violations()).singleElement().asString()
                .startsWith("jmx.remote.prot: unknown key (known here: ");
    }

    @Test
    void unknownKeysAndBadValuesAreAllReportedTogether() {
        ConfigurationException rejected = rejection("""
                colour: blue
                jmx:
                  remote:
                    port: lots
                """);

        assertThat(rejected.violations()).hasSize(2)
                .anySatisfy(line -> assertThat(line).startsWith("colour: unknown key"))
                .anySatisfy(line -> assertThat(line).isEqualTo("jmx.remote.port: must be a whole number (was \"lots\")"));
    }

    @Test
    void remoteWithoutAuthenticationNeedsTheInsecureFlag() {
        ConfigurationException rejected = rejection("""
                jmx:
                  remote:
                    enabled: true
                    authenticate: false
                """);

        assertThat(rejected.violations()).singleElement().asString()
                .startsWith("jmx.remote: authenticate: false needs allowInsecure: true");
    }

    @Test
    void tlsWithoutAKeyStoreIsRejected() {
        ConfigurationException rejected = rejection("""
                jmx:
                  remote:
                    tls:
                      enabled: true
                """);

        assertThat(rejected.violations()).containsExactly("jmx.remote.tls: TLS needs keyStore");
    }

    @Test
    void aSyntaxErrorNamesItsLine() {
        assertThat(rejection("jmx:\n  remote: [\n").violations()).singleElement().asString().startsWith("line ");
    }

    @Test
    void theMessageListsEveryViolationOnItsOwnLine() {
        assertThatThrownBy(() -> ConfigLoader.parse("daxguard.yaml", "mbeans:\n  filesPerFilesystem: -5\n"))
                .hasMessage("daxguard.yaml is not a valid configuration:\n"
                        + "  mbeans.filesPerFilesystem: must be greater than or equal to 0 (was -5)");
    }

    @Test
    void relativePathsResolveAgainstTheHome(@TempDir Path home) throws Exception {
        DaxguardConfig config = ConfigLoader.parse("test.yaml", "stateDirectory: state\nplugins:\n  directory: p\n");

        AgentSettings settings = SettingsMapping.toSettings(config, home, MBeanServerFactory.newMBeanServer());

        assertThat(settings.stateDirectory()).isEqualTo(home.resolve("state"));
        assertThat(settings.pluginDirectory()).isEqualTo(home.resolve("p"));
    }

    @Test
    void aScheduledScrubAndTheSourcesReachTheAgentSettings(@TempDir Path home) throws Exception {
        DaxguardConfig config = ConfigLoader.parse("test.yaml", "sources:\n  kmsg: false\n  queueCapacity: 1024\n"
                + "scrub:\n  enabled: true\n  intervalHours: 24\n  bytesPerSecond: 2097152\n");

        AgentSettings settings = SettingsMapping.toSettings(config, home, MBeanServerFactory.newMBeanServer());

        assertThat(settings.sources()).satisfies(sources -> {
            assertThat(sources.kmsgEnabled()).isFalse();
            assertThat(sources.queueCapacity()).isEqualTo(1024);
            assertThat(sources.scrubEvery()).isEqualTo(java.time.Duration.ofHours(24));
            assertThat(sources.scrubRateLimit()).isEqualTo(2L << 20);
        });
    }

    @Test
    void theResolveAndReportLimitsReachTheAgentSettings(@TempDir Path home) throws Exception {
        DaxguardConfig config = ConfigLoader.parse("test.yaml", "mbeans:\n  resolveBytes: 1048576\n"
                + "  reportBytes: 65536\n");

        AgentSettings settings = SettingsMapping.toSettings(config, home, MBeanServerFactory.newMBeanServer());

        assertThat(settings.requestLimits()).isEqualTo(new RequestLimits(1L << 20, 64L << 10));
    }

    @Test
    void theResolveAndReportLimitsAreOneGibibyteByDefault(@TempDir Path home) {
        AgentSettings settings = SettingsMapping.toSettings(DaxguardConfig.defaults(), home,
                MBeanServerFactory.newMBeanServer());

        assertThat(settings.requestLimits()).isEqualTo(new RequestLimits(1L << 30, 1L << 30));
    }

    @Test
    void resolveAndReportLimitsOutOfRangeAreRejectedByFieldAndValue() {
        ConfigurationException rejected = rejection("mbeans:\n  resolveBytes: 100\n  reportBytes: 2199023255553\n");

        assertThat(rejected.violations()).containsExactlyInAnyOrder(
                "mbeans.resolveBytes: must be greater than or equal to 4096 (was 100)",
                "mbeans.reportBytes: must be less than or equal to 1099511627776 (was 2199023255553)");
    }

    @Test
    void aRelativeReplicaRootIsRefusedNamingTheSetting() {
        ConfigurationException rejected = rejection("""
                replica:
                  roots: [backup]
                """);

        assertThat(rejected.violations()).singleElement().asString().startsWith("replica.roots")
                .contains("must be an absolute path");
    }

    @Test
    void replicaRootsBecomeTheAgentsReplicaRoots(@TempDir Path home) throws Exception {
        DaxguardConfig config = ConfigLoader.parse("test.yaml", "replica:\n  roots: [/backup/data, /srv/mirror]\n");

        assertThat(SettingsMapping.toSettings(config, home, MBeanServerFactory.newMBeanServer()).recovery()
                .replicaRoots()).extracting(io.daxguard.spi.LinuxPath::display)
                .containsExactly("/backup/data", "/srv/mirror");
    }

    @Test
    void aReplicaProviderThatIsNotOneIsRefusedNamingTheSetting(@TempDir Path home) throws Exception {
        DaxguardConfig config = ConfigLoader.parse("test.yaml", "replica:\n  provider: java.lang.Object\n");

        assertThatThrownBy(() -> SettingsMapping.toSettings(config, home, MBeanServerFactory.newMBeanServer()))
                .hasMessageContaining("replica.provider: java.lang.Object does not implement");
    }

    @Test
    void aMissingFileIsReportedAsSuch(@TempDir Path directory) {
        assertThatThrownBy(() -> ConfigLoader.load(directory.resolve("none.yaml")))
                .isInstanceOf(java.nio.file.NoSuchFileException.class);
    }
}
