package dev.kindling.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX graph being assembled: nodes in execution order, constant tensors (initializers),
 * one float input and one float output whose first dimension is the batch. {@link #toModel}
 * writes the {@code ModelProto} with the field numbers of {@code onnx.proto} (IR version 7,
 * operator set 13 of the default domain).
 */
final class OnnxGraph {
    static final long IR_VERSION = 7;
    static final long OPSET = 13;

    // TensorProto.DataType
    private static final int FLOAT = 1;
    private static final int INT64 = 7;
    // AttributeProto.AttributeType
    private static final int ATTR_FLOAT = 1;
    private static final int ATTR_INT = 2;
    private static final int ATTR_INTS = 7;

    private final List<ProtoMessage> nodes = new ArrayList<>();
    private final List<ProtoMessage> initializers = new ArrayList<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private int counter;

    /** A fresh tensor name with the given prefix. */
    String name(String prefix) {
        return prefix + "_" + (counter++);
    }

    /** A float32 constant of the given dimensions, taken from {@code values[offset, offset + size)}. */
    String floats(String name, float[] values, int offset, long... dims) {
        long size = 1;
        for (long d : dims) {
            size *= d;
        }
        ByteBuffer raw = ByteBuffer.allocate(Math.toIntExact(4 * size)).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values, offset, (int) size);
        // TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9 (little-endian)
        initializers.add(new ProtoMessage().packedInt64(1, dims).int64(2, FLOAT).string(8, name)
                .bytes(9, raw.array()));
        return name;
    }

    /** An int64 vector constant. */
    String int64s(String name, long... values) {
        ByteBuffer raw = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        raw.asLongBuffer().put(values);
        initializers.add(new ProtoMessage().packedInt64(1, values.length).int64(2, INT64).string(8, name)
                .bytes(9, raw.array()));
        return name;
    }

    /** Adds a node of the default domain and returns it, to add attributes to. */
    Node node(String opType, String[] inputs, String output) {
        // NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5
        ProtoMessage node = new ProtoMessage();
        for (String in : inputs) {
            node.string(1, in);
        }
        node.string(2, output).string(3, output).string(4, opType);
        nodes.add(node);
        return new Node(node);
    }

    void metadata(String key, String value) {
        metadata.put(key, value);
    }

    /** The attributes of one node; each is written as an AttributeProto (name = 1, type = 20). */
    static final class Node {
        private final ProtoMessage node;

        private Node(ProtoMessage node) {
            this.node = node;
        }

        Node attr(String name, long value) {
            node.message(5, new ProtoMessage().string(1, name).int64(20, ATTR_INT).int64(3, value));
            return this;
        }

        Node attr(String name, float value) {
            node.message(5, new ProtoMessage().string(1, name).int64(20, ATTR_FLOAT).float32(2, value));
            return this;
        }

        Node attr(String name, long... values) {
            node.message(5, new ProtoMessage().string(1, name).int64(20, ATTR_INTS).packedInt64(8, values));
            return this;
        }
    }

    /**
     * ValueInfoProto (name = 1, type = 2) of a float tensor: TypeProto.tensor_type = 1,
     * Tensor.elem_type = 1 and shape = 2, TensorShapeProto.dim = 1 with dim_value = 1 or, for the
     * batch, dim_param = 2.
     */
    private static ProtoMessage floatTensor(String name, long[] dims) {
        ProtoMessage shape = new ProtoMessage();
        shape.message(1, new ProtoMessage().string(2, "N"));
        for (long d : dims) {
            shape.message(1, new ProtoMessage().int64(1, d));
        }
        ProtoMessage tensor = new ProtoMessage().int64(1, FLOAT).message(2, shape);
        return new ProtoMessage().string(1, name).message(2, new ProtoMessage().message(1, tensor));
    }

    /**
     * The ModelProto bytes.
     *
     * @param inputDims  the input's dimensions after the batch
     * @param outputDims the output's dimensions after the batch
     */
    byte[] toModel(String graphName, String input, long[] inputDims, String output, long[] outputDims,
                   String producerVersion, String doc) {
        // GraphProto: node = 1, name = 2, initializer = 5, doc_string = 10, input = 11, output = 12
        ProtoMessage graph = new ProtoMessage();
        for (ProtoMessage n : nodes) {
            graph.message(1, n);
        }
        graph.string(2, graphName);
        for (ProtoMessage t : initializers) {
            graph.message(5, t);
        }
        graph.string(10, doc);
        graph.message(11, floatTensor(input, inputDims));
        graph.message(12, floatTensor(output, outputDims));
        // ModelProto: ir_version = 1, producer_name = 2, producer_version = 3, doc_string = 6,
        // graph = 7, opset_import = 8 (OperatorSetIdProto: domain = 1, version = 2),
        // metadata_props = 14 (StringStringEntryProto: key = 1, value = 2)
        ProtoMessage model = new ProtoMessage().int64(1, IR_VERSION).string(2, "kindling")
                .string(3, producerVersion).string(6, doc).message(7, graph)
                .message(8, new ProtoMessage().string(1, "").int64(2, OPSET));
        metadata.forEach((k, v) -> model.message(14, new ProtoMessage().string(1, k).string(2, v)));
        return model.toByteArray();
    }
}
