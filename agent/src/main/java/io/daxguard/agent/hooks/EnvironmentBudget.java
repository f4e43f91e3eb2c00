package io.daxguard.agent.hooks;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What keeps a hook's environment within what the kernel execs: each value at most {@code variableBytes} (one
 * string over MAX_ARG_STRLEN, 128 KiB, fails the exec with E2BIG) and all together at most {@code totalBytes}
 * (counting each {@code NAME=value\0} and its pointer, as the kernel does against ARG_MAX). Values are taken in the
 * order given; one that does not fit whole is cut ({@link HookEvent#environment()} says how), and the marker
 * variables are paid for out of the same budget; once the budget cannot pay for a variable and its markers, the
 * rest are left out and only {@code DAXGUARD_TRUNCATED=1} says so (it is set whenever anything was cut). Used by one thread, for one event.
 */
final class EnvironmentBudget {
    /** What each variable costs besides its name and value: {@code =}, the NUL, the envp pointer. */
    private static final int OVERHEAD = 1 + 1 + Long.BYTES;
    /** Room kept for the {@code _TRUNCATED} and {@code _COUNT} markers of the value being cut. */
    private static final int MARKERS = 2 * (64 + OVERHEAD);

    /** Set when anything was cut or left out, so a hook has one variable to check. */
    static final String ANY_TRUNCATED = "DAXGUARD_TRUNCATED";

    private final int variableBytes;
    private int left;
    private boolean cutAny;

    /** The budget, with room kept for {@link #ANY_TRUNCATED}. */
    EnvironmentBudget(int totalBytes, int variableBytes) {
        this.left = totalBytes - (ANY_TRUNCATED.length() + 1 + OVERHEAD);
        this.variableBytes = variableBytes;
    }

    /** Adds {@link #ANY_TRUNCATED} if anything was cut or left out; once, after the last {@link #add}. */
    void finish(Map<String, String> environment) {
        if (cutAny) {
            environment.put(ANY_TRUNCATED, "1");
        }
    }

    void add(Map<String, String> environment, String name, VariableValue value) {
        String whole = value.whole();
        int cost = bytes(name) + OVERHEAD;
        int wholeBytes = bytes(whole);
        if (wholeBytes <= variableBytes && cost + wholeBytes <= left) {
            environment.put(name, whole);
            left -= cost + wholeBytes;
            return;
        }
        cutAny = true;
        if (left < cost + MARKERS) {
            return; // the environment is full: left out, only DAXGUARD_TRUNCATED says so
        }
        int room = Math.min(variableBytes, left - cost - MARKERS);
        String cut = room <= 0 ? null : value.list() ? lines(value, room) : text(whole, room);
        if (cut != null) {
            environment.put(name, cut);
            left -= cost + bytes(cut);
        }
        mark(environment, name + "_TRUNCATED", "1");
        if (value.list()) {
            mark(environment, name + "_COUNT", Integer.toString(value.lines().size()));
        }
    }

    private void mark(Map<String, String> environment, String name, String value) {
        environment.put(name, value);
        left -= bytes(name) + bytes(value) + OVERHEAD;
    }

    /** The first lines that fit in {@code room} bytes, whole; null if not even the first does. */
    private static String lines(VariableValue value, int room) {
        StringBuilder kept = new StringBuilder();
        int used = 0;
        for (String line : value.lines()) {
            int more = bytes(line) + (kept.isEmpty() ? 0 : 1);
            if (used + more > room) {
                break;
            }
            kept.append(kept.isEmpty() ? "" : "\n").append(line);
            used += more;
        }
        return kept.isEmpty() ? null : kept.toString();
    }

    /** The longest start of {@code text} that, with {@link HookEvent#CUT}, fits in {@code room} bytes. */
    private static String text(String text, int room) {
        int limit = room - HookEvent.CUT.length();
        if (limit <= 0) {
            return null;
        }
        int used = 0;
        int end = 0;
        while (end < text.length()) {
            int codePoint = text.codePointAt(end);
            int size = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8).length;
            if (used + size > limit) {
                break;
            }
            used += size;
            end += Character.charCount(codePoint);
        }
        return text.substring(0, end) + HookEvent.CUT;
    }

    private static int bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }
}
