package io.daxguard.agent.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;

/** Open MBean data (what a client without daxguard's classes sees) as plain maps and lists, and as JSON. */
final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper ONE_LINE = new ObjectMapper();

    private Json() {
    }

    static Object plain(Object value) {
        if (value instanceof CompositeData composite) {
            return toMap(composite);
        }
        if (value instanceof TabularData table) {
            List<Object> rows = new ArrayList<>();
            table.values().forEach(row -> rows.add(plain(row)));
            return rows;
        }
        if (value instanceof Object[] array) {
            List<Object> items = new ArrayList<>();
            for (Object item : array) {
                items.add(plain(item));
            }
            return items;
        }
        return value;
    }

    static Map<String, Object> toMap(CompositeData composite) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (String key : composite.getCompositeType().keySet()) {
            map.put(key, plain(composite.get(key)));
        }
        return map;
    }

    static String write(Object value) throws com.fasterxml.jackson.core.JsonProcessingException {
        return MAPPER.writeValueAsString(value);
    }

    /** {@code value} as JSON on one line: what every {@code --json} that prints a line per answer prints. */
    static String line(Object value) {
        try {
            return ONE_LINE.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException cannotHappen) {
            // Maps, lists, strings, numbers and booleans only: Jackson has nothing it could fail on.
            throw new java.io.UncheckedIOException(cannotHappen);
        }
    }

    /** An ordered map of alternating keys and values, for a command's JSON answer. */
    static Map<String, Object> object(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], plain(keysAndValues[i + 1]));
        }
        return map;
    }
}
