package io.daxguard.spi;

import java.io.ByteArrayOutputStream;
import java.io.Serializable;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A file name or path as Linux has it: bytes (any but NUL), {@code /} between components. Linux never says
 * which encoding a name is in; a directory made by a FUSE server, a Latin-1 program or a corrupted tree may hold
 * bytes that are not UTF-8, and daxguard must still name and act on those files. So names are kept as bytes from
 * the kernel ({@code getdents64}, mountinfo, sysfs) to the kernel ({@code openat}, {@code statx},
 * {@code renameat2}), never through a {@link String} in the JVM's charset or a {@link Path} (whose text depends
 * on {@code sun.jnu.encoding}: with {@code LANG=C} it is ASCII, and undecodable bytes are lost).
 *
 * <p><b>Display form</b> ({@link #display()}, also {@link #toString()}): what people and the ledger read. Valid
 * UTF-8 is shown as is, except control characters and line separators; each byte that is not part of a valid UTF-8
 * sequence, or is part of one of those characters, is shown as {@code \xNN} (two lower-case hex digits); a backslash
 * is shown as {@code \\}. So the display form is plain text whatever the bytes, and
 * {@link #fromDisplay} turns it back into exactly the same bytes. The ledger, JMX and the command line carry the
 * display form; whatever touches the kernel parses it back first.
 *
 * @param bytes the name's bytes, without a terminating NUL
 */
public record LinuxPath(byte[] bytes) implements Comparable<LinuxPath>, Serializable {
    /** The root directory, {@code /}. */
    public static final LinuxPath ROOT = new LinuxPath(new byte[] {'/'});
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    public LinuxPath {
        bytes = bytes.clone();
        for (byte b : bytes) {
            if (b == 0) {
                throw new IllegalArgumentException("a Linux name cannot hold a NUL byte: " + displayOf(bytes));
            }
        }
    }

    /** A copy of the bytes. */
    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    public static LinuxPath of(byte[] bytes) {
        return new LinuxPath(bytes);
    }

    /**
     * The bytes the JDK itself uses for {@code path}: its text encoded as {@code sun.jnu.encoding} says, which
     * is how the JDK made the path from a string. Exact for paths made from text (configuration, test fixtures);
     * a {@link Path} read from a directory listing may already have lost undecodable bytes in its text, which is
     * why names found by daxguard never become a {@link Path}.
     */
    public static LinuxPath of(Path path) {
        return new LinuxPath(path.toString().getBytes(JdkPaths.CHARSET));
    }

    /** The UTF-8 bytes of {@code text}, taken literally (no escapes): for names written in the code. */
    public static LinuxPath ofText(String text) {
        return new LinuxPath(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The bytes a display form stands for: {@code \xNN} is the byte NN (either case), {@code \\} a backslash,
     * anything else its UTF-8 bytes. A backslash followed by anything else is taken literally, so text written
     * before names had a display form (a recorded path with a backslash in it) still reads as it was meant.
     *
     * @throws IllegalArgumentException when the text holds a NUL or half of a surrogate pair
     */
    public static LinuxPath fromDisplay(String display) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(display.length());
        for (int i = 0; i < display.length(); ) {
            char c = display.charAt(i);
            if (c == '\\' && i + 1 < display.length() && display.charAt(i + 1) == '\\') {
                out.write('\\');
                i += 2;
            } else if (c == '\\' && i + 3 < display.length() && display.charAt(i + 1) == 'x'
                    && hexDigit(display.charAt(i + 2)) >= 0 && hexDigit(display.charAt(i + 3)) >= 0) {
                out.write(hexDigit(display.charAt(i + 2)) << 4 | hexDigit(display.charAt(i + 3)));
                i += 4;
            } else {
                int codePoint = display.codePointAt(i);
                if (codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE) {
                    throw new IllegalArgumentException("not a name: half of a surrogate pair at " + i + " in \""
                            + display + "\"");
                }
                out.writeBytes(new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(codePoint);
            }
        }
        return new LinuxPath(out.toByteArray());
    }

    /** The display form: valid UTF-8 as is, other bytes as {@code \xNN}, a backslash as {@code \\}. */
    public String display() {
        return displayOf(bytes);
    }

    /** The display form of any bytes the kernel gave as text (a mount source, a mount option). */
    public static String displayOf(byte[] bytes) {
        StringBuilder text = new StringBuilder(bytes.length);
        for (int i = 0; i < bytes.length; ) {
            int length = validSequenceAt(bytes, i);
            if (length == 0) {
                appendEscaped(text, bytes[i]);
                i++;
            } else if (breaksALine(bytes, i, length)) {
                for (int end = i + length; i < end; i++) {
                    appendEscaped(text, bytes[i]);
                }
            } else if (bytes[i] == '\\') {
                text.append("\\\\");
                i++;
            } else if (length == 1) {
                text.append((char) bytes[i]);
                i++;
            } else {
                text.append(new String(bytes, i, length, StandardCharsets.UTF_8));
                i += length;
            }
        }
        return text.toString();
    }

    private static void appendEscaped(StringBuilder text, byte value) {
        int b = value & 0xff;
        text.append("\\x").append(HEX[b >>> 4]).append(HEX[b & 0xf]);
    }

    /**
     * Whether the valid sequence at {@code at} is a control character (C0, DEL, C1) or a line or paragraph separator:
     * any user can put one in a file name, and shown raw it would cut a log line in two (a forged alert after it) or
     * drive the operator's terminal. Escaped like invalid bytes, so the display form stays one line of plain text.
     */
    private static boolean breaksALine(byte[] bytes, int at, int length) {
        int codePoint = length == 1 ? bytes[at] : new String(bytes, at, length, StandardCharsets.UTF_8).codePointAt(0);
        return Character.isISOControl(codePoint) || codePoint == 0x2028 || codePoint == 0x2029;
    }

    /**
     * The length of the well-formed UTF-8 sequence starting at {@code at} (Unicode's table 3-7: no overlong forms,
     * no surrogates, nothing above U+10FFFF), or 0 when the byte there starts none.
     */
    private static int validSequenceAt(byte[] bytes, int at) {
        int b0 = bytes[at] & 0xff;
        if (b0 < 0x80) {
            return 1;
        }
        int length;
        int lowest = 0x80;
        int highest = 0xbf;
        if (b0 >= 0xc2 && b0 <= 0xdf) {
            length = 2;
        } else if (b0 >= 0xe0 && b0 <= 0xef) {
            length = 3;
            if (b0 == 0xe0) {
                lowest = 0xa0;
            } else if (b0 == 0xed) {
                highest = 0x9f;
            }
        } else if (b0 >= 0xf0 && b0 <= 0xf4) {
            length = 4;
            if (b0 == 0xf0) {
                lowest = 0x90;
            } else if (b0 == 0xf4) {
                highest = 0x8f;
            }
        } else {
            return 0;
        }
        if (at + length > bytes.length) {
            return 0;
        }
        int b1 = bytes[at + 1] & 0xff;
        if (b1 < lowest || b1 > highest) {
            return 0;
        }
        for (int i = at + 2; i < at + length; i++) {
            int continuation = bytes[i] & 0xff;
            if (continuation < 0x80 || continuation > 0xbf) {
                return 0;
            }
        }
        return length;
    }

    /** The value of an ASCII hex digit, -1 for anything else (Character.digit also takes full-width digits). */
    private static int hexDigit(char c) {
        return c < 128 ? Character.digit(c, 16) : -1;
    }

    /** The bytes followed by a NUL, as a C function takes a path. */
    public byte[] nulTerminated() {
        return Arrays.copyOf(bytes, bytes.length + 1);
    }

    /** How many bytes. */
    public int length() {
        return bytes.length;
    }

    public boolean isAbsolute() {
        return bytes.length > 0 && bytes[0] == '/';
    }

    /** The components between slashes, empty ones (from {@code //} or a leading or trailing {@code /}) left out. */
    public List<LinuxPath> components() {
        List<LinuxPath> components = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == '/') {
                if (i > start) {
                    components.add(new LinuxPath(Arrays.copyOfRange(bytes, start, i)));
                }
                start = i + 1;
            }
        }
        return components;
    }

    /** The last component; the path itself when it has none (the root). */
    public LinuxPath fileName() {
        List<LinuxPath> components = components();
        return components.isEmpty() ? this : components.get(components.size() - 1);
    }

    /**
     * The directory holding the last component: {@code /a/b} for {@code /a/b/c}, {@link #ROOT} for {@code /a}.
     *
     * @throws IllegalArgumentException for a path without components (the root) or a single relative name
     */
    public LinuxPath parent() {
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] == '/') {
            end--;
        }
        while (end > 0 && bytes[end - 1] != '/') {
            end--;
        }
        while (end > 1 && bytes[end - 1] == '/') {
            end--;
        }
        if (end == 0 || components().isEmpty()) {
            throw new IllegalArgumentException(display() + " has no parent");
        }
        return new LinuxPath(Arrays.copyOf(bytes, end));
    }

    /**
     * {@code relative} below this path, with one {@code /} between them: the one way daxguard puts a mount point
     * and a path inside its filesystem together. A leading {@code /} of {@code relative} is taken as this path's
     * root, since paths inside a filesystem are written from its mount point ({@code "/dir/file"}); so the root
     * mount point gives {@code /dir/file}, never {@code //dir/file}, and a {@code relative} of {@code /} (the
     * filesystem's root) gives this path itself. Unlike {@link Path#resolve}, the result is always below this path.
     * Bytes, not text: names that are not UTF-8 join as they are.
     */
    public LinuxPath join(LinuxPath relative) {
        int skip = 0;
        while (skip < relative.bytes.length && relative.bytes[skip] == '/') {
            skip++;
        }
        if (skip == relative.bytes.length && bytes.length > 0) {
            return this;
        }
        boolean slash = bytes.length == 0 || bytes[bytes.length - 1] != '/';
        byte[] joined = Arrays.copyOf(bytes, bytes.length + (slash ? 1 : 0) + relative.bytes.length - skip);
        if (slash) {
            joined[bytes.length] = '/';
        }
        System.arraycopy(relative.bytes, skip, joined, bytes.length + (slash ? 1 : 0), relative.bytes.length - skip);
        return new LinuxPath(joined);
    }

    /**
     * {@code components} (names without a {@code /}) put together as {@link #join} joins them: a relative path with one
     * {@code /} between each two, the empty path for none. How a path found one name at a time (a directory walk's
     * links) becomes one path, to open beneath a directory or to {@link #join} below a mount point.
     */
    public static LinuxPath ofComponents(List<LinuxPath> components) {
        if (components.isEmpty()) {
            return new LinuxPath(new byte[0]);
        }
        LinuxPath joined = components.get(0);
        for (int i = 1; i < components.size(); i++) {
            joined = joined.join(components.get(i));
        }
        return joined;
    }

    /**
     * {@link #join} for paths in display form, as the ledger, JMX and the views carry them: where a file is shown
     * with its mount point ({@code "/mnt/data"} and {@code "/dir/file"}, or {@code "/"} and {@code "/usr/x"}).
     */
    public static String joinDisplayed(String mountPoint, String relative) {
        return fromDisplay(mountPoint).join(fromDisplay(relative)).display();
    }

    /** Whether {@code prefix}'s components are the first components of this path (both absolute or both not). */
    public boolean startsWith(LinuxPath prefix) {
        if (isAbsolute() != prefix.isAbsolute()) {
            return false;
        }
        List<LinuxPath> mine = components();
        List<LinuxPath> theirs = prefix.components();
        return theirs.size() <= mine.size() && mine.subList(0, theirs.size()).equals(theirs);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LinuxPath path && Arrays.equals(bytes, path.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** Byte order (unsigned), which for UTF-8 names is code point order. */
    @Override
    public int compareTo(LinuxPath other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    /** The display form. */
    @Override
    public String toString() {
        return display();
    }

    /** How the JDK encodes a {@link Path}'s text. */
    private static final class JdkPaths {
        static final Charset CHARSET = charset();

        private static Charset charset() {
            try {
                return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
            } catch (IllegalArgumentException unknown) {
                return StandardCharsets.UTF_8;
            }
        }
    }
}
