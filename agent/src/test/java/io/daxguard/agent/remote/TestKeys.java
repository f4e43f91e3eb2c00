package io.daxguard.agent.remote;

import io.daxguard.testkit.Command;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Keys and certificates made by the JDK's keytool for the TLS tests, all in PKCS12 stores with one password. */
final class TestKeys {
    static final String STORE_PASSWORD = "store-secret";

    private TestKeys() {
    }

    /** A key pair for {@code name} (valid for 127.0.0.1 and localhost) in {@code store}, its certificate exported. */
    static void keyPair(String name, Path store, Path certificate) throws IOException {
        Command.run(keytool(), "-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=" + name, "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", STORE_PASSWORD);
        Command.run(keytool(), "-exportcert", "-alias", name, "-keystore", store.toString(), "-storepass",
                STORE_PASSWORD, "-file", certificate.toString());
    }

    /** A trust store holding {@code certificate}. */
    static void trust(Path certificate, Path store) throws IOException {
        Command.run(keytool(), "-importcert", "-noprompt", "-alias", "trusted", "-file", certificate.toString(),
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", STORE_PASSWORD);
    }

    /** A client's TLS context: its key (may be null: no certificate) and the certificates it trusts. */
    static SSLContext clientContext(Path keyStore, Path trustStore) throws IOException, GeneralSecurityException {
        KeyManagerFactory keys = null;
        if (keyStore != null) {
            keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(load(keyStore), STORE_PASSWORD.toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(load(trustStore));
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
        return context;
    }

    private static KeyStore load(Path store) throws IOException, GeneralSecurityException {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, STORE_PASSWORD.toCharArray());
        }
        return keys;
    }

    private static String keytool() {
        return Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    }
}
