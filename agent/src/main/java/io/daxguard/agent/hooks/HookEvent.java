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

    /**
     * The variables a run gets besides the fixed ones: {@code DAXGUARD_EVENT}, {@code DAXGUARD_SUMMARY},
     * {@code DAXGUARD_TIME}, {@code DAXGUARD_SEQUENCE}, and a {@code DAXGUARD_<FIELD>} per field ({@code filesystemOffset}
     * becomes {@code DAXGUARD_FILESYSTEM_OFFSET}); a list of text is one line per element, a nested composite is
     * {@code DAXGUARD_<FIELD>_<ITEM>}; a table or a list of composites is only in the JSON.
     */
    public Map<String, String> environment() {
        Map<String, String> environment = new LinkedHashMap<>();
        fields.forEach((name, value) -> put(environment, "DAXGUARD_" + variable(name), value));
        environment.put("DAXGUARD_EVENT", type);
        environment.put("DAXGUARD_SUMMARY", clean(summary));
        environment.put("DAXGUARD_TIME", time.toString());
        environment.put("DAXGUARD_SEQUENCE", Long.toString(sequence));
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

    private static void put(Map<String, String> environment, String name, Object value) {
        if (value instanceof CompositeData data) {
            for (String key : data.getCompositeType().keySet()) {
                put(environment, name + "_" + variable(key), data.get(key));
            }
        } else if (value instanceof Object[] array) {
            if (array.length == 0 || !(array[0] instanceof CompositeData)) {
                StringBuilder lines = new StringBuilder();
                for (Object element : array) {
                    lines.append(lines.length() == 0 ? "" : "\n").append(clean(String.valueOf(element)));
                }
                environment.put(name, lines.toString());
            }
        } else if (value != null && !(value instanceof TabularData)) {
            environment.put(name, clean(String.valueOf(value)));
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
