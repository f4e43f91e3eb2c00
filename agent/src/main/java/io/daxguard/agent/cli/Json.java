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
}
