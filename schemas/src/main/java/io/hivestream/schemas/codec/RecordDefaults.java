package io.hivestream.schemas.codec;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Gives a new record every default its schema declares, for the records the busiest stages make
 * once or more per task.
 *
 * <p>A generated builder looks each unset default up by its {@link Schema.Field}, and that field's
 * hash code walks the field's whole schema on every lookup: a builder costs 0.3 to 2 µs, against
 * tens of nanoseconds for a record made with its constructor and setters. Here the defaults are
 * read once per class; each record gets its own copy of any default it could change (a list, a map,
 * a record or bytes), and shares the immutable ones (strings, numbers, booleans, enums). Fields
 * without a default are left null for the caller to set, as a builder would require.
 */
public final class RecordDefaults {
    /**
     * The defaults by record class. A map rather than a {@link ClassValue}: Avro keeps class values
     * on the same classes, and in a profile of the pipeline a quarter of this class's samples were
     * in the class value's slow path for a missed first slot.
     */
    private static final Map<Class<?>, Field[]> DEFAULTS = new ConcurrentHashMap<>();

    private RecordDefaults() {}

    /** {@code record}, a newly made one, with every default of its schema set; returns it. */
    public static <T extends SpecificRecordBase> T fill(T record) {
        Field[] fields = DEFAULTS.get(record.getClass());
        if (fields == null) {
            fields =
                    DEFAULTS.computeIfAbsent(
                            record.getClass(),
                            type -> defaults(SpecificData.getForClass(type), schemaOf(type)));
        }
        for (Field field : fields) {
            record.put(field.pos, field.copy());
        }
        return record;
    }

    /** A field's default, and how each record gets its own copy of it. */
    private record Field(int pos, Object value, Copy how) {
        Object copy() {
            return switch (how) {
                case SHARED -> value;
                case LIST -> new ArrayList<>((List<?>) value);
                case MAP -> new LinkedHashMap<>((Map<?, ?>) value);
                case DEEP -> SpecificData.get().deepCopy(schema(value), value);
            };
        }

        private static Schema schema(Object value) {
            return value instanceof GenericContainer container
                    ? container.getSchema()
                    : SpecificData.get().induce(value);
        }
    }

    private enum Copy {
        /** Immutable (a string, a number, a boolean, an enum or null): every record shares it. */
        SHARED,
        LIST,
        MAP,
        /** A record or bytes. */
        DEEP
    }

    private static Field[] defaults(SpecificData model, Schema schema) {
        List<Field> defaults = new ArrayList<>();
        for (Schema.Field field : schema.getFields()) {
            if (field.hasDefaultValue()) {
                Object value = model.deepCopy(field.schema(), model.getDefaultValue(field));
                defaults.add(new Field(field.pos(), value, copyOf(value)));
            }
        }
        return defaults.toArray(new Field[0]);
    }

    private static Copy copyOf(Object value) {
        // A generated enum is a container too, but immutable.
        if (value instanceof Enum<?>) {
            return Copy.SHARED;
        }
        if (value instanceof List<?>) {
            return Copy.LIST;
        }
        if (value instanceof Map<?, ?>) {
            return Copy.MAP;
        }
        if (value instanceof GenericContainer || value instanceof ByteBuffer) {
            return Copy.DEEP;
        }
        return Copy.SHARED;
    }

    private static Schema schemaOf(Class<?> type) {
        Schema schema = SpecificData.get().getSchema(type);
        if (schema.getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException(type.getName() + " is not a generated record class");
        }
        return schema;
    }
}
