package io.daxguard.agent.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.List;
import java.util.Objects;

/**
 * The optional Jolokia bridge (JMX over HTTP/JSON) for an appliance's web UI.
 *
 * @param enabled         off by default
 * @param host            address to listen on; loopback unless changed
 * @param port            HTTP port
 * @param passwordFile    {@code user password} lines, as for remote JMX
 * @param accessFile      {@code user monitor|control} lines, as for remote JMX
 * @param threads         requests served at once (a slow client holds one thread, not the bridge)
 * @param allowedOrigins  web origins ({@code https://host:port}) whose pages may call the bridge from a browser;
 *                        a request naming any other origin is refused. Clients that are not browsers send none
 * @param tls             HTTPS, with the same settings (and meaning) as {@code jmx.remote.tls}
 */
public record HttpConfig(Boolean enabled, @NotBlank String host, @Min(1) @Max(65535) Integer port,
                         String passwordFile, String accessFile, @Min(1) @Max(64) Integer threads,
                         @NotNull List<@Pattern(regexp = "https?://[^/\\s]+",
                                 message = "must be an origin: scheme://host[:port]") String> allowedOrigins,
                         @NotNull @Valid TlsConfig tls) {
    public HttpConfig {
        enabled = Objects.requireNonNullElse(enabled, false);
        host = Objects.requireNonNullElse(host, "127.0.0.1");
        port = Objects.requireNonNullElse(port, 8778);
        passwordFile = Objects.requireNonNullElse(passwordFile, "conf/jmxremote.password");
        accessFile = Objects.requireNonNullElse(accessFile, "conf/jmxremote.access");
        threads = Objects.requireNonNullElse(threads, 4);
        allowedOrigins = List.copyOf(Objects.requireNonNullElse(allowedOrigins, List.of()));
        tls = Objects.requireNonNullElseGet(tls, TlsConfig::defaults);
    }

    static HttpConfig defaults() {
        return new HttpConfig(null, null, null, null, null, null, null, null);
    }

    @JsonIgnore
    @AssertTrue(message = "the HTTP bridge needs passwordFile and accessFile")
    public boolean isAuthenticationConfigured() {
        return !enabled || (!passwordFile.isBlank() && !accessFile.isBlank());
    }
}
