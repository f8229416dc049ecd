package io.hivestream.schemas.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes and decodes one record type in both wire forms. {@link #decode} tells them apart by the
 * two-byte marker of Avro single-object encoding, so a topic may carry both side by side. Bytes
 * written with any earlier version of the schema (kept under {@code avro-history/} on the
 * classpath) decode into the current class. Thread-safe; serializable so Flink functions can hold
 * one (the Avro encoders are rebuilt after deserialization).
 */
public final class RecordCodec<T extends SpecificRecord> implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte MARKER_0 = (byte) 0xC3;
    private static final byte MARKER_1 = (byte) 0x01;

    private final Class<T> type;
    private transient Schema schema;

    /** The single-object header: the marker, then the schema's fingerprint. */
    private transient byte[] header;

    private transient SpecificDatumWriter<T> writer;

    /** Reads bytes written with the current schema; thread-safe, as Avro's message decoder's. */
    private transient DatumReader<T> reader;

    /** Decodes bytes written with any version of the schema, the current one included. */
    private transient BinaryMessageDecoder<T> decoder;

    private RecordCodec(Class<T> type) {
        this.type = type;
        init();
    }

    public static <T extends SpecificRecord> RecordCodec<T> of(Class<T> type) {
        return new RecordCodec<>(type);
    }

    private void init() {
        SpecificData model = SpecificData.getForClass(type);
        schema = model.getSchema(type);
        writer = new SpecificDatumWriter<>(schema, model);
        header = header(schema);
        @SuppressWarnings("unchecked")
        DatumReader<T> current = (DatumReader<T>) model.createDatumReader(schema, schema);
        reader = current;
        decoder = new BinaryMessageDecoder<>(model, schema);
        for (Schema older : SchemaHistory.versionsOf(schema.getFullName())) {
            decoder.addSchema(older);
        }
    }

    private void readObject(java.io.ObjectInputStream in)
            throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        init();
    }

    public Schema schema() {
        return schema;
    }

    public Class<T> type() {
        return type;
    }

    /** True when the bytes start with the marker of Avro single-object encoding. */
    public static boolean isSingleObjectEncoded(byte[] bytes) {
        return bytes != null && bytes.length >= 2 && bytes[0] == MARKER_0 && bytes[1] == MARKER_1;
    }

    public byte[] encode(T record, WireFormat format) {
        return format == WireFormat.AVRO ? encodeAvro(record) : encodeJson(record);
    }

    /**
     * The record in Avro single-object encoding: the bytes Avro's {@code BinaryMessageEncoder}
     * writes, through a buffered encoder that each thread reuses. Avro's message encoder writes
     * every field straight into a synchronized stream, which cost about twice as much per record.
     */
    public byte[] encodeAvro(T record) {
        Output output = OUTPUT.get();
        output.bytes.reset();
        output.bytes.write(header, 0, header.length);
        try {
            output.encoder = EncoderFactory.get().binaryEncoder(output.bytes, output.encoder);
            writer.write(record, output.encoder);
            output.encoder.flush();
        } catch (IOException | RuntimeException e) {
            // Whatever a failed write left in the encoder's buffer must not reach the next record.
            output.encoder = null;
            throw new CodecException(
                    "cannot encode " + schema.getName() + ": " + e.getMessage(), e);
        }
        return output.bytes.toByteArray();
    }

    /** Each thread's buffer and encoder, reused for every record it encodes. */
    private static final ThreadLocal<Output> OUTPUT = ThreadLocal.withInitial(Output::new);

    private static final class Output {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
        BinaryEncoder encoder;
    }

    private static byte[] header(Schema schema) {
        long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        byte[] header = new byte[10];
        header[0] = MARKER_0;
        header[1] = MARKER_1;
        for (int i = 0; i < 8; i++) {
            // Little-endian, as the single-object encoding specifies.
            header[2 + i] = (byte) (fingerprint >>> (8 * i));
        }
        return header;
    }

    public byte[] encodeJson(T record) {
        return toJsonString(record).getBytes(StandardCharsets.UTF_8);
    }

    public String toJsonString(T record) {
        try {
            return JSON.writeValueAsString(toJson(record));
        } catch (JsonProcessingException e) {
            throw new CodecException("cannot write " + schema.getName() + " as JSON", e);
        }
    }

    public ObjectNode toJson(T record) {
        return AvroJson.write(record);
    }

    /** Decodes either wire form. */
    public T decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new CodecException("empty record: expected Avro single-object bytes or JSON");
        }
        return isSingleObjectEncoded(bytes) ? decodeAvro(bytes) : fromJson(parseJson(bytes));
    }

    /**
     * Decodes Avro single-object bytes. Bytes of the current schema are read straight from the
     * array by a buffered decoder that each thread reuses; Avro's message decoder, which the other
     * versions go through, reads them one byte at a time from a synchronized stream, which cost
     * about twice as much per record.
     */
    public T decodeAvro(byte[] bytes) {
        try {
            // The header names the schema the bytes were written with: the current one here.
            if (bytes.length >= header.length
                    && Arrays.equals(bytes, 0, header.length, header, 0, header.length)) {
                BinaryDecoder in =
                        DecoderFactory.get()
                                .binaryDecoder(
                                        bytes,
                                        header.length,
                                        bytes.length - header.length,
                                        DECODER.get());
                DECODER.set(in);
                return reader.read(null, in);
            }
            return decoder.decode(bytes);
        } catch (MissingSchemaException e) {
            throw new CodecException(
                    "Avro record written with an unknown schema (fingerprint not among the "
                            + schema.getName()
                            + " versions this job knows)",
                    e);
        } catch (BadHeaderException e) {
            throw new CodecException("bad Avro single-object header: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new CodecException(
                    "truncated or corrupt Avro "
                            + schema.getName()
                            + " ("
                            + bytes.length
                            + " bytes): "
                            + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : ": " + e.getMessage()),
                    e);
        }
    }

    /** Each thread's decoder, reused for every record it decodes. */
    private static final ThreadLocal<BinaryDecoder> DECODER = new ThreadLocal<>();

    /** Parses UTF-8 JSON text into an object node, with a clear error for anything else. */
    public static ObjectNode parseJson(byte[] bytes) {
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new CodecException(
                    "neither Avro single-object bytes nor valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new CodecException("neither Avro single-object bytes nor valid JSON", e);
        }
        if (node == null || !node.isObject()) {
            throw new CodecException(
                    "expected a JSON object, got "
                            + (node == null ? "nothing" : node.getNodeType().name().toLowerCase()));
        }
        return (ObjectNode) node;
    }

    public T fromJson(JsonNode json) {
        GenericRecord generic = AvroJson.read(json, schema);
        @SuppressWarnings("unchecked")
        T specific = (T) SpecificData.getForClass(type).deepCopy(schema, generic);
        return specific;
    }

    public T fromJson(String json) {
        return fromJson(parseJson(json.getBytes(StandardCharsets.UTF_8)));
    }

    /** The earlier versions of record schemas, read from {@code avro-history/INDEX}. */
    static final class SchemaHistory {
        private SchemaHistory() {}

        static List<Schema> versionsOf(String fullName) {
            ClassLoader loader = RecordCodec.class.getClassLoader();
            try (InputStream index = loader.getResourceAsStream("avro-history/INDEX")) {
                if (index == null) {
                    return List.of();
                }
                List<Schema> versions = new java.util.ArrayList<>();
                for (String line :
                        new String(index.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    String file = line.trim();
                    if (file.isEmpty() || file.startsWith("#")) {
                        continue;
                    }
                    try (InputStream in = loader.getResourceAsStream("avro-history/" + file)) {
                        if (in == null) {
                            throw new IllegalStateException(
                                    "avro-history/" + file + " is listed but missing");
                        }
                        Schema older = new Schema.Parser().parse(in);
                        if (older.getFullName().equals(fullName)) {
                            versions.add(older);
                        }
                    }
                }
                return versions;
            } catch (IOException e) {
                throw new IllegalStateException("cannot read avro-history", e);
            }
        }
    }
}
