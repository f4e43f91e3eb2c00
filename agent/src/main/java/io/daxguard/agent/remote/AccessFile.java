package io.daxguard.agent.remote;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Roles of remote users: one {@code user role} line each, role {@code monitor} or {@code control}; {@code #}
 * starts a comment. A user who is not listed has no role: remote JMX and the HTTP endpoints refuse its login and
 * every call. The front ends read it through {@link CurrentAccessFile}, so an edit holds without a restart.
 */
public record AccessFile(Map<String, Role> roles) {
    public AccessFile {
        roles = Map.copyOf(roles);
    }

    public static AccessFile load(Path file) throws IOException {
        return parse(file, Files.readAllBytes(file));
    }

    /** The roles {@code content}, the bytes of {@code file}, gives; refused as {@link #load} refuses them. */
    static AccessFile parse(Path file, byte[] content) throws IOException {
        List<String> lines;
        try {
            // Strict, as Files.readAllLines is: bytes that are not UTF-8 are no access file.
            lines = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(content)).toString().lines().toList();
        } catch (CharacterCodingException notText) {
            throw new IOException(file + " is not UTF-8 text", notText);
        }
        Map<String, Role> roles = new HashMap<>();
        for (int number = 1; number <= lines.size(); number++) {
            String line = lines.get(number - 1).replaceFirst("#.*", "").trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] words = line.split("\\s+");
            if (words.length != 2) {
                throw new IOException(file + " line " + number + ": expected \"user monitor|control\", got \"" + line
                        + "\"");
            }
            try {
                roles.put(words[0], Role.named(words[1]));
            } catch (IllegalArgumentException unknown) {
                throw new IOException(file + " line " + number + ": role must be monitor or control, was \""
                        + words[1] + "\"");
            }
        }
        return new AccessFile(roles);
    }

    public Optional<Role> roleOf(String user) {
        return Optional.ofNullable(roles.get(user));
    }
}
