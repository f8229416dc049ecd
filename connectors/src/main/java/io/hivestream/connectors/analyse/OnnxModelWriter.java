package io.hivestream.connectors.analyse;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes a logistic regression as an ONNX model: {@code score = Sigmoid(MatMul(features, W) + B)},
 * input {@code features} float[N, F], output {@code score} float[N, 1], with string metadata
 * (feature names and version, thresholds). The protobuf wire format is written directly: the graph
 * has three nodes and two initializers, which does not warrant a protobuf library and the ONNX
 * classes on the class path. ONNX Runtime reads the result (see {@code OnnxModelWriterTest}).
 */
public final class OnnxModelWriter {
    /** ONNX IR version 8 with opset 13, read by every ONNX Runtime since 1.10. */
    static final long IR_VERSION = 8;

    static final long OPSET = 13;
    public static final String INPUT = "features";
    public static final String OUTPUT = "score";

    private static final int FLOAT = 1;

    private OnnxModelWriter() {}

    /**
     * The model's bytes.
     *
     * @param weights one weight per feature
     * @param bias the intercept
     * @param metadata written as the model's metadata properties, in the map's order
     */
    public static byte[] logisticRegression(
            float[] weights, float bias, Map<String, String> metadata) {
        Proto graph = new Proto();
        graph.message(1, node("MatMul", "matmul", new String[] {INPUT, "W"}, "logit_raw"));
        graph.message(1, node("Add", "add", new String[] {"logit_raw", "B"}, "logit"));
        graph.message(1, node("Sigmoid", "sigmoid", new String[] {"logit"}, OUTPUT));
        graph.string(2, "hivestream-complexity");
        graph.message(5, tensor("W", new long[] {weights.length, 1}, weights));
        graph.message(5, tensor("B", new long[] {1}, new float[] {bias}));
        graph.message(11, valueInfo(INPUT, weights.length));
        graph.message(12, valueInfo(OUTPUT, 1));

        Proto model = new Proto();
        model.int64(1, IR_VERSION);
        model.string(2, "hivestream");
        model.string(3, "0.1.0");
        model.message(7, graph);
        Proto opset = new Proto();
        opset.string(1, "");
        opset.int64(2, OPSET);
        model.message(8, opset);
        for (Map.Entry<String, String> entry : metadata.entrySet()) {
            Proto property = new Proto();
            property.string(1, entry.getKey());
            property.string(2, entry.getValue());
            model.message(14, property);
        }
        return model.bytes();
    }

    private static Proto node(String op, String name, String[] inputs, String output) {
        Proto node = new Proto();
        for (String input : inputs) {
            node.string(1, input);
        }
        node.string(2, output);
        node.string(3, name);
        node.string(4, op);
        return node;
    }

    private static Proto tensor(String name, long[] dims, float[] values) {
        Proto tensor = new Proto();
        for (long dim : dims) {
            tensor.int64(1, dim);
        }
        tensor.int64(2, FLOAT);
        Proto packed = new Proto();
        for (float value : values) {
            packed.fixed32(Float.floatToIntBits(value));
        }
        tensor.message(4, packed);
        tensor.string(8, name);
        return tensor;
    }

    /** A float tensor of shape [N, columns], N left free (named "batch"). */
    private static Proto valueInfo(String name, int columns) {
        Proto batch = new Proto();
        batch.string(2, "batch");
        Proto width = new Proto();
        width.int64(1, columns);
        Proto shape = new Proto();
        shape.message(1, batch);
        shape.message(1, width);
        Proto tensorType = new Proto();
        tensorType.int64(1, FLOAT);
        tensorType.message(2, shape);
        Proto type = new Proto();
        type.message(1, tensorType);
        Proto info = new Proto();
        info.string(1, name);
        info.message(2, type);
        return info;
    }

    /** The few protobuf wire types the model needs: varints, strings, messages, packed floats. */
    private static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        void int64(int field, long value) {
            varint((long) field << 3);
            varint(value);
        }

        void string(int field, String value) {
            bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        void message(int field, Proto message) {
            bytes(field, message.bytes());
        }

        void fixed32(int bits) {
            for (int i = 0; i < 4; i++) {
                out.write(bits >>> (8 * i));
            }
        }

        private void bytes(int field, byte[] value) {
            varint(((long) field << 3) | 2);
            varint(value.length);
            out.writeBytes(value);
        }

        private void varint(long value) {
            while ((value & ~0x7FL) != 0) {
                out.write((int) ((value & 0x7F) | 0x80));
                value >>>= 7;
            }
            out.write((int) value);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
