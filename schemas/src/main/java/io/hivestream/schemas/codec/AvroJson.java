package io.hivestream.schemas.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;

/**
 * The plain JSON form of Avro records, for people and scripts: unions are written as their value
 * (not Avro's {@code {"string": ..}} wrapper), enums as their symbol (any case on input), bytes as
 * base64, and fields with a default may be left out. Unknown fields are refused so that a typo is
 * reported rather than silently ignored. Stateless and thread-safe.
 */
public final class AvroJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Marks a long field as a point in time, which JSON may also give as an ISO-8601 instant. */
    public static final String EPOCH_MILLIS = "epoch-millis";

    private AvroJson() {}

    /** Reads a JSON object as a generic record of {@code schema}. */
    public static GenericRecord read(JsonNode json, Schema schema) {
        if (schema.getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException("not a record schema: " + schema.getFullName());
        }
        return (GenericRecord) readValue(json, schema, "");
    }

    /** Writes a record (generic or specific) as a JSON object, leaving out null fields. */
    public static ObjectNode write(IndexedRecord record) {
        return (ObjectNode) writeValue(record, record.getSchema());
    }

    private static Object readValue(JsonNode json, Schema schema, String path) {
        switch (schema.getType()) {
            case RECORD:
                return readRecord(json, schema, path);
            case UNION:
                return readUnion(json, schema, path);
            case STRING:
                if (json.isValueNode() && !json.isNull()) {
                    return json.asText();
                }
                throw mismatch(path, "a string", json);
            case INT:
                return readInteger(json, path, Integer.MIN_VALUE, Integer.MAX_VALUE).intValue();
            case LONG:
                if (EPOCH_MILLIS.equals(schema.getProp("format")) && json.isTextual()) {
                    return readInstant(json, path);
                }
                return readInteger(json, path, Long.MIN_VALUE, Long.MAX_VALUE);
            case FLOAT:
                return (float) readDouble(json, path);
            case DOUBLE:
                return readDouble(json, path);
            case BOOLEAN:
                if (json.isBoolean()) {
                    return json.booleanValue();
                }
                if (json.isTextual()
                        && ("true".equalsIgnoreCase(json.asText())
                                || "false".equalsIgnoreCase(json.asText()))) {
                    return Boolean.parseBoolean(json.asText());
                }
                throw mismatch(path, "true or false", json);
            case ENUM:
                return readEnum(json, schema, path);
            case ARRAY:
                return readArray(json, schema, path);
            case MAP:
                return readMap(json, schema, path);
            case BYTES:
                return ByteBuffer.wrap(readBase64(json, path));
            case FIXED:
                byte[] bytes = readBase64(json, path);
                if (bytes.length != schema.getFixedSize()) {
                    throw new CodecException(
                            at(path)
                                    + "expected "
                                    + schema.getFixedSize()
                                    + " bytes, got "
                                    + bytes.length);
                }
                return new GenericData.Fixed(schema, bytes);
            case NULL:
                if (json.isNull()) {
                    return null;
                }
                throw mismatch(path, "null", json);
            default:
                throw new CodecException(at(path) + "unsupported type " + schema.getType());
        }
    }

    private static GenericRecord readRecord(JsonNode json, Schema schema, String path) {
        if (!json.isObject()) {
            throw mismatch(path, "an object", json);
        }
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (schema.getField(name) == null) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            String known =
                    schema.getFields().stream()
                            .map(Schema.Field::name)
                            .collect(Collectors.joining(", "));
            throw new CodecException(
                    at(path) + "unknown field(s) " + unknown + "; known fields: " + known);
        }
        GenericData.Record record = new GenericData.Record(schema);
        for (Schema.Field field : schema.getFields()) {
            JsonNode value = json.get(field.name());
            String fieldPath = path.isEmpty() ? field.name() : path + "." + field.name();
            if (value == null || (value.isNull() && !acceptsNull(field.schema()))) {
                if (!field.hasDefaultValue()) {
                    throw new CodecException("missing required field '" + fieldPath + "'");
                }
                record.put(field.pos(), defaultValue(field));
            } else {
                record.put(field.pos(), readValue(value, field.schema(), fieldPath));
            }
        }
        return record;
    }

    private static Object defaultValue(Schema.Field field) {
        Object value = GenericData.get().getDefaultValue(field);
        if (value == JsonProperties.NULL_VALUE) {
            return null;
        }
        // Defaults are shared instances inside Avro: hand out a private copy.
        return GenericData.get().deepCopy(field.schema(), value);
    }

    private static boolean acceptsNull(Schema schema) {
        return schema.getType() == Schema.Type.NULL
                || (schema.getType() == Schema.Type.UNION
                        && schema.getTypes().stream()
                                .anyMatch(s -> s.getType() == Schema.Type.NULL));
    }

    private static Object readUnion(JsonNode json, Schema schema, String path) {
        if (json.isNull() && acceptsNull(schema)) {
            return null;
        }
        List<String> tried = new ArrayList<>();
        CodecException first = null;
        for (Schema branch : schema.getTypes()) {
            if (branch.getType() == Schema.Type.NULL) {
                continue;
            }
            try {
                return readValue(json, branch, path);
            } catch (CodecException e) {
                tried.add(describe(branch));
                if (first == null) {
                    first = e;
                }
            }
        }
        if (tried.size() == 1 && first != null) {
            throw first;
        }
        throw new CodecException(at(path) + "expected one of " + tried + ", got " + show(json));
    }

    private static Long readInteger(JsonNode json, String path, long min, long max) {
        BigDecimal value = readNumber(json, path);
        try {
            long exact = value.longValueExact();
            if (exact < min || exact > max) {
                throw new CodecException(at(path) + "out of range: " + value.toPlainString());
            }
            return exact;
        } catch (ArithmeticException e) {
            throw mismatch(path, "a whole number", json);
        }
    }

    private static double readDouble(JsonNode json, String path) {
        return readNumber(json, path).doubleValue();
    }

    private static BigDecimal readNumber(JsonNode json, String path) {
        if (json.isNumber()) {
            return json.decimalValue();
        }
        if (json.isTextual()) {
            try {
                return new BigDecimal(json.asText().trim());
            } catch (NumberFormatException e) {
                throw mismatch(path, "a number", json);
            }
        }
        throw mismatch(path, "a number", json);
    }

    private static long readInstant(JsonNode json, String path) {
        try {
            return Instant.parse(json.asText()).toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return Long.parseLong(json.asText().trim());
            } catch (NumberFormatException notANumber) {
                throw mismatch(path, "epoch milliseconds or an ISO-8601 instant", json);
            }
        }
    }

    private static GenericEnumSymbol<?> readEnum(JsonNode json, Schema schema, String path) {
        if (json.isTextual()) {
            for (String symbol : schema.getEnumSymbols()) {
                if (symbol.equalsIgnoreCase(json.asText().trim())) {
                    return new GenericData.EnumSymbol(schema, symbol);
                }
            }
        }
        throw mismatch(path, "one of " + schema.getEnumSymbols(), json);
    }

    private static List<Object> readArray(JsonNode json, Schema schema, String path) {
        if (!json.isArray()) {
            throw mismatch(path, "an array", json);
        }
        List<Object> values = new GenericData.Array<>(json.size(), schema);
        int i = 0;
        for (JsonNode item : json) {
            values.add(readValue(item, schema.getElementType(), path + "[" + i++ + "]"));
        }
        return values;
    }

    private static Map<String, Object> readMap(JsonNode json, Schema schema, String path) {
        if (!json.isObject()) {
            throw mismatch(path, "an object", json);
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            values.put(
                    entry.getKey(),
                    readValue(
                            entry.getValue(), schema.getValueType(), path + "." + entry.getKey()));
        }
        return values;
    }

    private static byte[] readBase64(JsonNode json, String path) {
        if (!json.isTextual()) {
            throw mismatch(path, "a base64 string", json);
        }
        try {
            return Base64.getDecoder().decode(json.asText());
        } catch (IllegalArgumentException e) {
            throw mismatch(path, "a base64 string", json);
        }
    }

    private static JsonNode writeValue(Object value, Schema schema) {
        if (value == null) {
            return NODES.nullNode();
        }
        switch (schema.getType()) {
            case RECORD:
                IndexedRecord record = (IndexedRecord) value;
                ObjectNode object = NODES.objectNode();
                for (Schema.Field field : schema.getFields()) {
                    Object fieldValue = record.get(field.pos());
                    if (fieldValue != null) {
                        object.set(field.name(), writeValue(fieldValue, field.schema()));
                    }
                }
                return object;
            case UNION:
                return writeValue(
                        value,
                        schema.getTypes().get(GenericData.get().resolveUnion(schema, value)));
            case STRING:
            case ENUM:
                return NODES.textNode(value.toString());
            case INT:
                return NODES.numberNode((Integer) value);
            case LONG:
                return NODES.numberNode((Long) value);
            case FLOAT:
                return NODES.numberNode((Float) value);
            case DOUBLE:
                return NODES.numberNode((Double) value);
            case BOOLEAN:
                return NODES.booleanNode((Boolean) value);
            case ARRAY:
                ArrayNode array = NODES.arrayNode();
                for (Object item : (Collection<?>) value) {
                    array.add(writeValue(item, schema.getElementType()));
                }
                return array;
            case MAP:
                ObjectNode map = NODES.objectNode();
                for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                    map.set(
                            entry.getKey().toString(),
                            writeValue(entry.getValue(), schema.getValueType()));
                }
                return map;
            case BYTES:
                ByteBuffer buffer = ((ByteBuffer) value).duplicate();
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
            case FIXED:
                return NODES.textNode(
                        Base64.getEncoder().encodeToString(((GenericFixed) value).bytes()));
            case NULL:
                return NODES.nullNode();
            default:
                throw new CodecException("unsupported type " + schema.getType());
        }
    }

    private static CodecException mismatch(String path, String expected, JsonNode actual) {
        return new CodecException(at(path) + "expected " + expected + ", got " + show(actual));
    }

    private static String at(String path) {
        return path.isEmpty() ? "" : "field '" + path + "': ";
    }

    private static String show(JsonNode json) {
        String text = json.toString();
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }

    private static String describe(Schema schema) {
        return schema.getType() == Schema.Type.RECORD || schema.getType() == Schema.Type.ENUM
                ? schema.getName()
                : schema.getType().getName();
    }
}
