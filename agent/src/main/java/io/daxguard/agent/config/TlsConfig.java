package io.daxguard.agent.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import java.util.Objects;

/**
 * TLS for remote JMX (registry and connector alike).
 *
 * @param enabled             off by default
 * @param keyStore            the agent's key and certificate (PKCS12)
 * @param keyStorePassword    its password
 * @param trustStore          certificates of clients to trust (needed with {@code needClientAuth})
 * @param trustStorePassword  its password
 * @param needClientAuth      refuse clients without a certificate the trust store trusts
 */
public record TlsConfig(Boolean enabled, String keyStore, String keyStorePassword, String trustStore,
                        String trustStorePassword, Boolean needClientAuth, @NotBlank String keyStoreType) {
    public TlsConfig {
        enabled = Objects.requireNonNullElse(enabled, false);
        keyStore = Objects.requireNonNullElse(keyStore, "");
        keyStorePassword = Objects.requireNonNullElse(keyStorePassword, "");
        trustStore = Objects.requireNonNullElse(trustStore, "");
        trustStorePassword = Objects.requireNonNullElse(trustStorePassword, "");
        needClientAuth = Objects.requireNonNullElse(needClientAuth, false);
        keyStoreType = Objects.requireNonNullElse(keyStoreType, "PKCS12");
    }

    static TlsConfig defaults() {
        return new TlsConfig(null, null, null, null, null, null, null);
    }

    @JsonIgnore
    @AssertTrue(message = "TLS needs keyStore")
    public boolean isKeyStoreGiven() {
        return !enabled || !keyStore.isBlank();
    }

    @JsonIgnore
    @AssertTrue(message = "needClientAuth needs trustStore")
    public boolean isTrustStoreGivenForClientAuth() {
        return !enabled || !needClientAuth || !trustStore.isBlank();
    }
}
