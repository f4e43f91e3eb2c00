package io.daxguard.agent.jmx;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.List;
import javax.management.openmbean.ArrayType;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.CompositeDataSupport;
import javax.management.openmbean.CompositeType;
import javax.management.openmbean.OpenDataException;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;

/**
 * Turns a flat record (String, long, int, boolean and List&lt;String&gt; components) into CompositeData, for
 * notification user data, which the MXBean machinery does not convert. Item names are the component names,
 * as an MXBean attribute of the same record would have them.
 */
final class OpenRecords {
    private OpenRecords() {
    }

    static CompositeData toComposite(Record record) {
        return toComposite(new Record[] {record});
    }

    /** The items of every record in one CompositeData (item names must differ), in the order given. */
    static CompositeData toComposite(Record first, Record... more) {
        Record[] all = new Record[more.length + 1];
        all[0] = first;
        System.arraycopy(more, 0, all, 1, more.length);
        return toComposite(all);
    }

    private static CompositeData toComposite(Record[] parts) {
        List<RecordComponent> all = new java.util.ArrayList<>();
        List<Record> owners = new java.util.ArrayList<>();
        for (Record part : parts) {
            for (RecordComponent component : part.getClass().getRecordComponents()) {
                all.add(component);
                owners.add(part);
            }
        }
        String typeName = java.util.Arrays.stream(parts).map(part -> part.getClass().getName())
                .collect(java.util.stream.Collectors.joining("+"));
        String simpleName = java.util.Arrays.stream(parts).map(part -> part.getClass().getSimpleName())
                .collect(java.util.stream.Collectors.joining("+"));
        RecordComponent[] components = all.toArray(RecordComponent[]::new);
        String[] names = new String[components.length];
        OpenType<?>[] types = new OpenType<?>[components.length];
        Object[] values = new Object[components.length];
        try {
            for (int i = 0; i < components.length; i++) {
                names[i] = components[i].getName();
                Object value = components[i].getAccessor().invoke(owners.get(i));
                Class<?> type = components[i].getType();
                if (type == String.class) {
                    types[i] = SimpleType.STRING;
                } else if (type == long.class) {
                    types[i] = SimpleType.LONG;
                } else if (type == int.class) {
                    types[i] = SimpleType.INTEGER;
                } else if (type == boolean.class) {
                    types[i] = SimpleType.BOOLEAN;
                } else if (type == List.class && components[i].getGenericType() instanceof ParameterizedType list
                        && list.getActualTypeArguments()[0] == String.class) {
                    types[i] = ArrayType.getArrayType(SimpleType.STRING);
                    value = ((List<?>) value).toArray(String[]::new);
                } else {
                    throw new IllegalArgumentException(simpleName + "." + names[i]
                            + " has a type notification data cannot carry: " + type);
                }
                values[i] = value;
            }
            CompositeType compositeType = new CompositeType(typeName, simpleName, names, names, types);
            return new CompositeDataSupport(compositeType, names, values);
        } catch (OpenDataException | ReflectiveOperationException e) {
            throw new IllegalStateException("cannot convert " + simpleName + " to CompositeData", e);
        }
    }
}
