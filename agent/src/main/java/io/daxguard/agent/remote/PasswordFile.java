package io.daxguard.agent.remote;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Checks a password against the JDK's JMX password file, so the HTTP bridge and remote JMX share one file:
 * {@code user password} lines in clear text, or, once the JDK has hashed them, its documented form
 * {@code user salt hash [algorithm]} (both Base64; the algorithm SHA3-512 when left out; see the JDK's
 * {@code conf/management/jmxremote.password.template}). Re-read at every check, so an edited file takes effect
 * without a restart.
 */
final class PasswordFile {
    /** The JDK's algorithm for a hashed line that names none. */
    private static final String DEFAULT_ALGORITHM = "SHA3-512";

    private final Path file;

    PasswordFile(Path file) {
        this.file = file;
    }

    boolean accepts(String user, String password) {
        String[] entry;
        try {
            entry = entries().get(user);
        } catch (IOException unreadable) {
            return false;
        }
        if (entry == null || password == null) {
            return false;
        }
        if (entry.length == 2) {
            return MessageDigest.isEqual(entry[1].getBytes(StandardCharsets.UTF_8),
                    password.getBytes(StandardCharsets.UTF_8));
        }
        if (entry.length == 3 || entry.length == 4) {
            return matches(entry[2], entry[1], entry.length == 4 ? entry[3] : DEFAULT_ALGORITHM, password);
        }
        return false;
    }

    private static boolean matches(String hash, String salt, String algorithm, String password) {
        try {
            MessageDigest digest = MessageDigest.getInstance(algorithm);
            digest.update(Base64.getDecoder().decode(salt));
            return MessageDigest.isEqual(Base64.getDecoder().decode(hash),
                    digest.digest(password.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | IllegalArgumentException unusable) {
            return false;
        }
    }

    private Map<String, String[]> entries() throws IOException {
        Map<String, String[]> entries = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            String trimmed = line.trim();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            String[] fields = trimmed.split("\\s+");
            entries.put(fields[0], fields);
        }
        return entries;
    }
}
