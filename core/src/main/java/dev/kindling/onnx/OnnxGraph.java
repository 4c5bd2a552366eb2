package dev.kindling.onnx;

import dev.kindling.onnx.OnnxProto.AttributeProto;
import dev.kindling.onnx.OnnxProto.AttributeProto.AttributeType;
import dev.kindling.onnx.OnnxProto.GraphProto;
import dev.kindling.onnx.OnnxProto.ModelProto;
import dev.kindling.onnx.OnnxProto.NodeProto;
import dev.kindling.onnx.OnnxProto.OperatorSetIdProto;
import dev.kindling.onnx.OnnxProto.StringStringEntryProto;
import dev.kindling.onnx.OnnxProto.TensorProto;
import dev.kindling.onnx.OnnxProto.TensorProto.DataType;
import dev.kindling.onnx.OnnxProto.TensorShapeProto;
import dev.kindling.onnx.OnnxProto.TypeProto;
import dev.kindling.onnx.OnnxProto.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX graph being assembled: nodes in execution order, constant tensors (initializers),
 * one float input and one float output whose first dimension is the batch. {@link #toModel}
 * writes the {@code ModelProto} with the field numbers of {@code onnx.proto} ({@link OnnxProto};
 * IR version 7, operator set 13 of the default domain).
 */
final class OnnxGraph {
    static final long IR_VERSION = 7;
    static final long OPSET = 13;

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
        initializers.add(new ProtoMessage().packedInt64(TensorProto.DIMS, dims)
                .int64(TensorProto.DATA_TYPE, DataType.FLOAT).string(TensorProto.NAME, name)
                .bytes(TensorProto.RAW_DATA, raw.array()));
        return name;
    }

    /** An int64 vector constant. */
    String int64s(String name, long... values) {
        ByteBuffer raw = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        raw.asLongBuffer().put(values);
        initializers.add(new ProtoMessage().packedInt64(TensorProto.DIMS, values.length)
                .int64(TensorProto.DATA_TYPE, DataType.INT64).string(TensorProto.NAME, name)
                .bytes(TensorProto.RAW_DATA, raw.array()));
        return name;
    }

    /** Adds a node of the default domain and returns it, to add attributes to. */
    Node node(String opType, String[] inputs, String output) {
        ProtoMessage node = new ProtoMessage();
        for (String in : inputs) {
            node.string(NodeProto.INPUT, in);
        }
        // A node is named after its one output, which is unique in the graph.
        node.string(NodeProto.OUTPUT, output).string(NodeProto.NAME, output).string(NodeProto.OP_TYPE, opType);
        nodes.add(node);
        return new Node(node);
    }

    void metadata(String key, String value) {
        metadata.put(key, value);
    }

    /** The attributes of one node, each an AttributeProto with its name, type and value. */
    static final class Node {
        private final ProtoMessage node;

        private Node(ProtoMessage node) {
            this.node = node;
        }

        Node attr(String name, long value) {
            node.message(NodeProto.ATTRIBUTE, attribute(name, AttributeType.INT).int64(AttributeProto.I, value));
            return this;
        }

        Node attr(String name, float value) {
            node.message(NodeProto.ATTRIBUTE, attribute(name, AttributeType.FLOAT).float32(AttributeProto.F, value));
            return this;
        }

        Node attr(String name, long... values) {
            node.message(NodeProto.ATTRIBUTE,
                    attribute(name, AttributeType.INTS).packedInt64(AttributeProto.INTS, values));
            return this;
        }

        private static ProtoMessage attribute(String name, int type) {
            return new ProtoMessage().string(AttributeProto.NAME, name).int64(AttributeProto.TYPE, type);
        }
    }

    /** The ValueInfoProto of a float tensor whose first dimension, the batch, is the symbol N. */
    private static ProtoMessage floatTensor(String name, long[] dims) {
        ProtoMessage shape = new ProtoMessage();
        shape.message(TensorShapeProto.DIM, new ProtoMessage().string(TensorShapeProto.Dimension.DIM_PARAM, "N"));
        for (long d : dims) {
            shape.message(TensorShapeProto.DIM, new ProtoMessage().int64(TensorShapeProto.Dimension.DIM_VALUE, d));
        }
        ProtoMessage tensor = new ProtoMessage().int64(TypeProto.Tensor.ELEM_TYPE, DataType.FLOAT)
                .message(TypeProto.Tensor.SHAPE, shape);
        return new ProtoMessage().string(ValueInfoProto.NAME, name)
                .message(ValueInfoProto.TYPE, new ProtoMessage().message(TypeProto.TENSOR_TYPE, tensor));
    }

    /**
     * The ModelProto bytes.
     *
     * @param inputDims  the input's dimensions after the batch
     * @param outputDims the output's dimensions after the batch
     */
    byte[] toModel(String graphName, String input, long[] inputDims, String output, long[] outputDims,
                   String producerVersion, String doc) {
        ProtoMessage graph = new ProtoMessage();
        for (ProtoMessage n : nodes) {
            graph.message(GraphProto.NODE, n);
        }
        graph.string(GraphProto.NAME, graphName);
        for (ProtoMessage t : initializers) {
            graph.message(GraphProto.INITIALIZER, t);
        }
        graph.string(GraphProto.DOC_STRING, doc);
        graph.message(GraphProto.INPUT, floatTensor(input, inputDims));
        graph.message(GraphProto.OUTPUT, floatTensor(output, outputDims));
        // The empty domain is the default one, ai.onnx.
        ProtoMessage opset = new ProtoMessage().string(OperatorSetIdProto.DOMAIN, "")
                .int64(OperatorSetIdProto.VERSION, OPSET);
        ProtoMessage model = new ProtoMessage().int64(ModelProto.IR_VERSION, IR_VERSION)
                .string(ModelProto.PRODUCER_NAME, "kindling").string(ModelProto.PRODUCER_VERSION, producerVersion)
                .string(ModelProto.DOC_STRING, doc).message(ModelProto.GRAPH, graph)
                .message(ModelProto.OPSET_IMPORT, opset);
        metadata.forEach((k, v) -> model.message(ModelProto.METADATA_PROPS, new ProtoMessage()
                .string(StringStringEntryProto.KEY, k).string(StringStringEntryProto.VALUE, v)));
        return model.toByteArray();
    }
}
