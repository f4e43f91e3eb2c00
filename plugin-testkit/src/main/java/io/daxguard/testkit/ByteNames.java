package io.daxguard.testkit;

import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Names that are not UTF-8, made for tests with byte-level calls ({@code mkdirat}, {@code renameat2}): a
 * {@link Path} made from a String cannot hold such a name (the JDK encodes its text), so a fixture that wants a file
 * called {@code caf\xe9} writes it under a plain name and renames it by bytes.
 */
public final class ByteNames {
    private ByteNames() {
    }

    /** One byte per character of {@code text} (ISO-8859-1): {@code latin1("caf\u00e9")} is {@code c a f 0xE9}. */
    /**
     * Whether the JDK can make a {@code Path} of {@code text} in this process: not under {@code LANG=C} or no locale,
     * where {@code sun.jnu.encoding} is ASCII and {@code Path.of} refuses any other character.
     */
    public static boolean jdkCanName(String text) {
        return java.nio.charset.Charset.forName(System.getProperty("sun.jnu.encoding")).newEncoder().canEncode(text);
    }

    public static LinuxPath latin1(String text) {
        return LinuxPath.of(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Makes the directory {@code path} (its parent must exist); returns it. */
    public static LinuxPath makeDirectory(LinuxPath path) throws IOException {
        try (NativeFile parent = NativeFile.openDirectory(path.parent())) {
            parent.makeDirectory(path.fileName(), 0755);
        }
        return path;
    }

    /** Renames {@code from} (a file the test made under a plain name) to {@code to}; returns {@code to}. */
    public static LinuxPath rename(Path from, LinuxPath to) throws IOException {
        return rename(LinuxPath.of(from), to);
    }

    /** Renames {@code from} to {@code to}, both given by their bytes; returns {@code to}. */
    public static LinuxPath rename(LinuxPath from, LinuxPath to) throws IOException {
        try (NativeFile fromDirectory = NativeFile.openDirectory(from.parent());
             NativeFile toDirectory = NativeFile.openDirectory(to.parent())) {
            fromDirectory.rename(from.fileName(), toDirectory, to.fileName());
        }
        return to;
    }

    /**
     * {@code path} as one shell word that gives its exact bytes ({@code "$(printf '\351')"}), for a command such as
     * {@code mount} run through {@code sh -c}: a process argument given as a Java String would be encoded in the
     * JVM's charset.
     */
    public static String shellWord(LinuxPath path) {
        StringBuilder format = new StringBuilder();
        for (byte b : path.bytes()) {
            int value = b & 0xff;
            if (value >= 0x80 || !Character.isLetterOrDigit(value) && "/._-".indexOf(value) < 0) {
                format.append('\\').append(String.format("%03o", value));
            } else {
                format.append((char) value);
            }
        }
        return "\"$(printf '" + format + "')\"";
    }
}
