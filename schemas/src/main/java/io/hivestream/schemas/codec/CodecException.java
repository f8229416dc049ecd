package io.hivestream.schemas.codec;

/** A record that cannot be decoded or encoded; the message says what is wrong and where. */
public class CodecException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CodecException(String message) {
        super(message);
    }

    public CodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
