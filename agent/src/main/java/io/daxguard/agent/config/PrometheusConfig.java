package io.daxguard.agent.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.util.Objects;

/**
 * The optional Prometheus exposition endpoint ({@code /metrics}), with the HTTP bridge's settings and meaning.
 *
 * @param enabled      off by default
 * @param host         address to listen on; loopback unless changed
 * @param port         HTTP port
 * @param authenticate HTTP basic against {@code passwordFile}, for users with a role in {@code accessFile} (monitor is
 *                     enough); may be off only on a loopback host
 * @param passwordFile {@code user password} lines, as for remote JMX
 * @param accessFile   {@code user monitor|control} lines, as for remote JMX
 * @param tls          HTTPS, with the same settings (and meaning) as {@code jmx.remote.tls}
 */
public record PrometheusConfig(Boolean enabled, @NotBlank String host, @Min(1) @Max(65535) Integer port,
                               Boolean authenticate, String passwordFile, String accessFile,
                               @NotNull @Valid TlsConfig tls) {
    public PrometheusConfig {
        enabled = Objects.requireNonNullElse(enabled, false);
        host = Objects.requireNonNullElse(host, "127.0.0.1");
        port = Objects.requireNonNullElse(port, 9876);
        authenticate = Objects.requireNonNullElse(authenticate, true);
        passwordFile = Objects.requireNonNullElse(passwordFile, "conf/jmxremote.password");
        accessFile = Objects.requireNonNullElse(accessFile, "conf/jmxremote.access");
        tls = Objects.requireNonNullElseGet(tls, TlsConfig::defaults);
    }

    static PrometheusConfig defaults() {
        return new PrometheusConfig(null, null, null, null, null, null, null);
    }

    @JsonIgnore
    @AssertTrue(message = "authenticate: false is allowed only on a loopback host (127.0.0.1, ::1, localhost)")
    public boolean isUnauthenticatedOnlyOnLoopback() {
        return !enabled || authenticate || host.equals("127.0.0.1") || host.equals("::1") || host.equals("localhost");
    }

    @JsonIgnore
    @AssertTrue(message = "authenticate needs passwordFile and accessFile")
    public boolean isAuthenticationConfigured() {
        return !enabled || !authenticate || (!passwordFile.isBlank() && !accessFile.isBlank());
    }
}
