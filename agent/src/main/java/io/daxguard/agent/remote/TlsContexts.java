package io.daxguard.agent.remote;

import io.daxguard.agent.config.DaxguardHome;
import io.daxguard.agent.config.TlsConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The one way a {@link TlsConfig} becomes an {@link SSLContext}, for remote JMX, the HTTP bridge and the Prometheus
 * endpoint alike: the
 * agent's key from its key store, the clients it trusts (for {@code needClientAuth}) from the trust store, the
 * JDK's default protocols and cipher suites.
 */
final class TlsContexts {
    private TlsContexts() {
    }

    /** @param field the configuration's name of {@code tls} ({@code jmx.remote.tls}), for errors */
    static SSLContext of(TlsConfig tls, Path home, String field) throws IOException, GeneralSecurityException {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(keyStore(DaxguardHome.resolve(home, tls.keyStore()), tls.keyStoreType(), tls.keyStorePassword(),
                field + ".keyStore"),
                tls.keyStorePassword().toCharArray());
        TrustManagerFactory trust = null;
        if (!tls.trustStore().isBlank()) {
            trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(keyStore(DaxguardHome.resolve(home, tls.trustStore()), tls.keyStoreType(),
                    tls.trustStorePassword(), field + ".trustStore"));
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(), null);
        return context;
    }

    /** An HTTPS configurator of {@code tls}: its context, and client certificates required when it says so. */
    static com.sun.net.httpserver.HttpsConfigurator httpsConfigurator(TlsConfig tls, Path home, String field)
            throws IOException, GeneralSecurityException {
        SSLContext context = of(tls, home, field);
        boolean needClientAuth = tls.needClientAuth();
        return new com.sun.net.httpserver.HttpsConfigurator(context) {
            @Override
            public void configure(com.sun.net.httpserver.HttpsParameters parameters) {
                javax.net.ssl.SSLParameters ssl = context.getDefaultSSLParameters();
                ssl.setNeedClientAuth(needClientAuth);
                parameters.setSSLParameters(ssl);
            }
        };
    }

    /** The key store, or an error naming the file and what is wrong with it (missing, unreadable, not a store). */
    private static KeyStore keyStore(Path file, String type, String password, String field) throws IOException,
            GeneralSecurityException {
        if (!Files.exists(file)) {
            throw new io.daxguard.agent.config.UnusableConfiguredFile(field, file, "is missing");
        }
        KeyStore store = KeyStore.getInstance(type);
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password.toCharArray());
        } catch (IOException | GeneralSecurityException unusable) {
            // The JDK's own messages name neither the file nor the problem ("null", a DER tag number).
            throw new io.daxguard.agent.config.UnusableConfiguredFile(field, file, "cannot be read as a " + type
                    + " key store with the configured password" + (unusable.getMessage() == null ? ""
                    : " (" + unusable.getMessage() + ")"), unusable);
        }
        return store;
    }
}
