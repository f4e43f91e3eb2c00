package io.daxguard.agent.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.management.AttributeChangeNotification;
import javax.management.Notification;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;

/**
 * One announced event as a hook is given it: the notification's type, summary, time and sequence number, and every
 * item of its user data (its fields: device, offset, length, errno, filesystem, uuid, path, ...), taken as the
 * notification has them, so any notification type, present or future, reaches a hook whole. Paths are in the
 * display form of names ({@code LinuxPath}) everywhere already, so no control character reaches a hook's
 * environment or a log line.
 *
 * @param type      the notification type ({@code io.daxguard.file.damaged})
 * @param summary   the notification's message, one line
 * @param time      when it was sent
 * @param sequence  its sequence number on the Agent MBean's stream
 * @param fields    the user data's items, in their order (an {@link AttributeChangeNotification}'s source,
 *                  attribute, old and new value), values as open data has them
 */
public record HookEvent(String type, String summary, Instant time, long sequence, Map<String, Object> fields) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CAPITAL = Pattern.compile("(?<=[a-z0-9])(?=[A-Z])");

    public HookEvent {
        Objects.requireNonNull(type, "type is null");
        summary = Objects.requireNonNullElse(summary, "");
        Objects.requireNonNull(time, "time is null");
        fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** The event a notification announces. */
    public static HookEvent of(Notification notification) {
        Map<String, Object> fields = new LinkedHashMap<>();
        if (notification instanceof AttributeChangeNotification change) {
            fields.put("mbean", String.valueOf(change.getSource()));
            fields.put("attribute", change.getAttributeName());
            fields.put("oldValue", String.valueOf(change.getOldValue()));
            fields.put("newValue", String.valueOf(change.getNewValue()));
        }
        if (notification.getUserData() instanceof CompositeData data) {
            for (String key : data.getCompositeType().keySet()) {
                fields.put(key, data.get(key));
            }
        }
        return new HookEvent(notification.getType(), notification.getMessage(),
                Instant.ofEpochMilli(notification.getTimeStamp()), notification.getSequenceNumber(), fields);
    }

    /** Bytes one variable's value may have (the kernel refuses an exec with one over 128 KiB: MAX_ARG_STRLEN). */
    public static final int VARIABLE_BYTES = 32 * 1024;
    /** Bytes the whole environment may have, names, values and pointers counted: well under ARG_MAX (2 MiB). */
    public static final int ENVIRONMENT_BYTES = 256 * 1024;
    /** What ends a cut value that is not a list, after the last whole character kept. */
    static final String CUT = "...";

    /**
     * The variables a run gets besides the fixed ones: {@code DAXGUARD_EVENT}, {@code DAXGUARD_SUMMARY},
     * {@code DAXGUARD_TIME}, {@code DAXGUARD_SEQUENCE}, and a {@code DAXGUARD_<FIELD>} per field ({@code filesystemOffset}
     * becomes {@code DAXGUARD_FILESYSTEM_OFFSET}); a list of text is one line per element, a nested composite is
     * {@code DAXGUARD_<FIELD>_<ITEM>}; a table or a list of composites is only in the JSON.
     *
     * <p>Bounded, so that an event never makes the exec fail (E2BIG): a value is at most {@link #VARIABLE_BYTES} and
     * all of them together at most {@link #ENVIRONMENT_BYTES} (the fixed variables first, then the fields in their
     * order). A list longer than that is cut after its last whole line that fits, and {@code <NAME>_TRUNCATED=1}
     * and {@code <NAME>_COUNT=<elements in the list>} say so; other text is cut after its last whole character,
     * ending {@code ...}, with {@code <NAME>_TRUNCATED=1}. A value nothing of fits is left out, marked the same way;
     * once not even the markers fit, the remaining fields are left out unmarked. {@code DAXGUARD_TRUNCATED=1} is set
     * whenever anything was cut or left out.
     * The JSON on standard input always has the whole event.
     */
    public Map<String, String> environment() {
        Map<String, VariableValue> values = new LinkedHashMap<>();
        values.put("DAXGUARD_EVENT", VariableValue.text(type));
        values.put("DAXGUARD_SUMMARY", VariableValue.text(clean(summary)));
        values.put("DAXGUARD_TIME", VariableValue.text(time.toString()));
        values.put("DAXGUARD_SEQUENCE", VariableValue.text(Long.toString(sequence)));
        fields.forEach((name, value) -> put(values, "DAXGUARD_" + variable(name), value));
        EnvironmentBudget budget = new EnvironmentBudget(ENVIRONMENT_BYTES, VARIABLE_BYTES);
        Map<String, String> environment = new LinkedHashMap<>();
        values.forEach((name, value) -> budget.add(environment, name, value));
        budget.finish(environment);
        return environment;
    }

    /** The event as one JSON object: {@code event}, {@code summary}, {@code time}, {@code sequence}, and every field. */
    public String json() {
        ObjectNode object = JsonNodeFactory.instance.objectNode();
        fields.forEach((name, value) -> object.set(name, node(value)));
        object.put("event", type);
        object.put("summary", summary);
        object.put("time", time.toString());
        object.put("sequence", sequence);
        try {
            return JSON.writeValueAsString(object);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a tree of open data is always JSON", e);
        }
    }

    /** {@code filesystemOffset} -> {@code FILESYSTEM_OFFSET}. */
    static String variable(String name) {
        return CAPITAL.matcher(name).replaceAll("_").toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9_]", "_");
    }

    private static void put(Map<String, VariableValue> values, String name, Object value) {
        if (value instanceof CompositeData data) {
            for (String key : data.getCompositeType().keySet()) {
                put(values, name + "_" + variable(key), data.get(key));
            }
        } else if (value instanceof Object[] array) {
            if (array.length == 0 || !(array[0] instanceof CompositeData)) {
                java.util.List<String> lines = new java.util.ArrayList<>(array.length);
                for (Object element : array) {
                    lines.add(clean(String.valueOf(element)));
                }
                values.put(name, VariableValue.lines(lines));
            }
        } else if (value != null && !(value instanceof TabularData)) {
            values.put(name, VariableValue.text(clean(String.valueOf(value))));
        }
    }

    /** No NUL reaches the environment (it would end the variable); display forms carry none, this is the guard. */
    private static String clean(String text) {
        return text.replace("\0", "\\x00");
    }

    private static JsonNode node(Object value) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        if (value == null) {
            return nodes.nullNode();
        }
        if (value instanceof CompositeData data) {
            ObjectNode object = nodes.objectNode();
            for (String key : data.getCompositeType().keySet()) {
                object.set(key, node(data.get(key)));
            }
            return object;
        }
        if (value instanceof TabularData table) {
            return array(table.values(), nodes);
        }
        if (value instanceof Object[] elements) {
            return array(java.util.Arrays.asList(elements), nodes);
        }
        if (value instanceof Long number) {
            return nodes.numberNode(number);
        }
        if (value instanceof Integer number) {
            return nodes.numberNode(number);
        }
        if (value instanceof Boolean flag) {
            return nodes.booleanNode(flag);
        }
        return nodes.textNode(String.valueOf(value));
    }

    private static ArrayNode array(Collection<?> elements, JsonNodeFactory nodes) {
        ArrayNode array = nodes.arrayNode();
        elements.forEach(element -> array.add(node(element)));
        return array;
    }
}
