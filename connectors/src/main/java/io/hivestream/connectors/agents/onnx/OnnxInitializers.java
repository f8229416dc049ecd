package io.hivestream.connectors.agents.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a float tensor stored in an ONNX model's graph (an initializer) straight from the model's
 * protobuf bytes: ModelProto field 7 is the graph, GraphProto field 5 its initializers, and a
 * TensorProto has its dims (1), data type (2, 1 for FLOAT), name (8) and little-endian raw data (9)
 * or packed floats (4). Only what that needs of the protobuf wire format is here.
 */
final class OnnxInitializers {
    private OnnxInitializers() {}

    /** A float tensor: its shape and its values, row-major. */
    record FloatTensor(String name, long[] dims, float[] values) {}

    /**
     * The FLOAT initializer whose name ends with {@code suffix}.
     *
     * @throws IllegalArgumentException when there is none, or it is not FLOAT
     */
    static FloatTensor floats(byte[] onnx, String suffix) {
        Reader model = new Reader(onnx, 0, onnx.length);
        while (model.more()) {
            int tag = (int) model.varint();
            if (tag >>> 3 == 7 && (tag & 7) == 2) {
                Reader graph = model.sub();
                while (graph.more()) {
                    int graphTag = (int) graph.varint();
                    if (graphTag >>> 3 == 5 && (graphTag & 7) == 2) {
                        FloatTensor tensor = tensor(graph.sub(), suffix);
                        if (tensor != null) {
                            return tensor;
                        }
                    } else {
                        graph.skip(graphTag & 7);
                    }
                }
            } else {
                model.skip(tag & 7);
            }
        }
        throw new IllegalArgumentException("the model has no initializer named *" + suffix);
    }

    /** The tensor, when its name ends with {@code suffix}; else null. */
    private static FloatTensor tensor(Reader t, String suffix) {
        List<Long> dims = new ArrayList<>();
        int dataType = 0;
        String name = "";
        Reader raw = null;
        Reader packed = null;
        while (t.more()) {
            int tag = (int) t.varint();
            int field = tag >>> 3;
            int wire = tag & 7;
            if (field == 1 && wire == 0) {
                dims.add(t.varint());
            } else if (field == 1 && wire == 2) {
                Reader list = t.sub();
                while (list.more()) {
                    dims.add(list.varint());
                }
            } else if (field == 2 && wire == 0) {
                dataType = (int) t.varint();
            } else if (field == 4 && wire == 2) {
                packed = t.sub();
            } else if (field == 8 && wire == 2) {
                Reader text = t.sub();
                name =
                        new String(
                                text.bytes, text.pos, text.end - text.pos, StandardCharsets.UTF_8);
            } else if (field == 9 && wire == 2) {
                raw = t.sub();
            } else {
                t.skip(wire);
            }
        }
        if (!name.endsWith(suffix)) {
            return null;
        }
        if (dataType != 1) {
            throw new IllegalArgumentException(
                    "initializer " + name + " is of ONNX data type " + dataType + ", not FLOAT");
        }
        long count = 1;
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = dims.get(i);
            count *= shape[i];
        }
        Reader data = raw != null ? raw : packed;
        if (data == null || data.end - data.pos != 4 * count) {
            throw new IllegalArgumentException(
                    "initializer " + name + " does not hold the " + count + " floats of its shape");
        }
        float[] values = new float[Math.toIntExact(count)];
        ByteBuffer.wrap(data.bytes, data.pos, data.end - data.pos)
                .order(ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer()
                .get(values);
        return new FloatTensor(name, shape, values);
    }

    /** Varints and length-delimited fields over a part of a byte array. */
    private static final class Reader {
        final byte[] bytes;
        int pos;
        final int end;

        Reader(byte[] bytes, int pos, int end) {
            this.bytes = bytes;
            this.pos = pos;
            this.end = end;
        }

        boolean more() {
            return pos < end;
        }

        long varint() {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte b = bytes[pos++];
                result |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return result;
                }
            }
            throw new IllegalArgumentException("malformed varint before byte " + pos);
        }

        /** The next length-delimited field, as a reader of its own. */
        Reader sub() {
            int length = Math.toIntExact(varint());
            if (length < 0 || pos + length > end) {
                throw new IllegalArgumentException("a field runs past its message at " + pos);
            }
            Reader field = new Reader(bytes, pos, pos + length);
            pos += length;
            return field;
        }

        void skip(int wireType) {
            switch (wireType) {
                case 0 -> varint();
                case 1 -> pos += 8;
                case 2 -> {
                    int length = Math.toIntExact(varint());
                    pos += length;
                }
                case 5 -> pos += 4;
                default ->
                        throw new IllegalArgumentException(
                                "unknown protobuf wire type " + wireType + " at " + pos);
            }
        }
    }
}
