package io.hivestream.schemas.codec;

/** How a record is written to Kafka. */
public enum WireFormat {
    /** Avro single-object encoding: marker C3 01, schema fingerprint, binary body. */
    AVRO,
    /** The plain JSON form of {@link AvroJson}, UTF-8. */
    JSON
}
