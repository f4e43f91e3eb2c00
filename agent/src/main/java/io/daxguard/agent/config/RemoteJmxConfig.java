package io.daxguard.agent.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.Objects;

/**
 * The remote JMX connector: one fixed port for both the RMI registry and the connector, so a firewall needs
 * one rule.
 *
 * @param enabled        off by default
 * @param bindAddress    the address to listen on
 * @param port           the one port
 * @param authenticate   require a user name and password; turning it off also needs {@code allowInsecure}
 * @param allowInsecure  start without authentication anyway (warned about at every start)
 * @param anonymousRole  without authentication, the role every caller has: {@code monitor} (the default) or
 *                       {@code control}; roles hold all the same (no platform MBean is invoked or changed)
 * @param passwordFile   JDK JMX password file ({@code user password} lines; the JDK hashes clear-text
 *                       passwords in place when the file is writable)
 * @param loginConfig    a JAAS login configuration entry to authenticate with instead of the password file
 * @param accessFile     roles: {@code user monitor} or {@code user control} lines
 * @param tls            TLS for the registry and the connector
 */
public record RemoteJmxConfig(
        Boolean enabled,
        @NotBlank String bindAddress,
        @Min(1) @Max(65535) Integer port,
        Boolean authenticate,
        Boolean allowInsecure,
        @Pattern(regexp = "monitor|control", message = "must be monitor or control") String anonymousRole,
        String passwordFile,
        String loginConfig,
        @NotBlank String accessFile,
        @NotNull @Valid TlsConfig tls) {

    public RemoteJmxConfig {
        enabled = Objects.requireNonNullElse(enabled, false);
        bindAddress = Objects.requireNonNullElse(bindAddress, "0.0.0.0");
        port = Objects.requireNonNullElse(port, 9875);
        authenticate = Objects.requireNonNullElse(authenticate, true);
        allowInsecure = Objects.requireNonNullElse(allowInsecure, false);
        anonymousRole = Objects.requireNonNullElse(anonymousRole, "monitor");
        passwordFile = Objects.requireNonNullElse(passwordFile, "conf/jmxremote.password");
        loginConfig = Objects.requireNonNullElse(loginConfig, "");
        accessFile = Objects.requireNonNullElse(accessFile, "conf/jmxremote.access");
        tls = Objects.requireNonNullElseGet(tls, TlsConfig::defaults);
    }

    static RemoteJmxConfig defaults() {
        return new RemoteJmxConfig(null, null, null, null, null, null, null, null, null, null);
    }

    /** Authenticating needs somewhere to check passwords. */
    @JsonIgnore
    @AssertTrue(message = "authenticate needs passwordFile or loginConfig")
    public boolean isCredentialSourceGiven() {
        return !enabled || !authenticate || !passwordFile.isBlank() || !loginConfig.isBlank();
    }

    /** Without authentication anyone who reaches the port controls the agent: only on explicit request. */
    @JsonIgnore
    @AssertTrue(message = "authenticate: false needs allowInsecure: true (anyone reaching the port has the"
            + " anonymousRole)")
    public boolean isInsecureAcknowledged() {
        return !enabled || authenticate || allowInsecure;
    }
}
