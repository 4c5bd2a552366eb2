package dev.kindling.onnx;

/**
 * The field numbers and enum values of {@code onnx.proto} that the exporter writes, one nested
 * class per message, named as the schema names them ({@code ModelProto.graph = 7} is
 * {@code ModelProto.GRAPH}). Only what is written is here: the wire format needs the numbers,
 * and keeping them in one place lets them be checked against the schema at a glance.
 */
final class OnnxProto {
    private OnnxProto() {
    }

    static final class ModelProto {
        static final int IR_VERSION = 1;
        static final int PRODUCER_NAME = 2;
        static final int PRODUCER_VERSION = 3;
        static final int DOC_STRING = 6;
        static final int GRAPH = 7;
        static final int OPSET_IMPORT = 8;
        static final int METADATA_PROPS = 14;

        private ModelProto() {
        }
    }

    static final class OperatorSetIdProto {
        static final int DOMAIN = 1;
        static final int VERSION = 2;

        private OperatorSetIdProto() {
        }
    }

    static final class StringStringEntryProto {
        static final int KEY = 1;
        static final int VALUE = 2;

        private StringStringEntryProto() {
        }
    }

    static final class GraphProto {
        static final int NODE = 1;
        static final int NAME = 2;
        static final int INITIALIZER = 5;
        static final int DOC_STRING = 10;
        static final int INPUT = 11;
        static final int OUTPUT = 12;

        private GraphProto() {
        }
    }

    static final class NodeProto {
        static final int INPUT = 1;
        static final int OUTPUT = 2;
        static final int NAME = 3;
        static final int OP_TYPE = 4;
        static final int ATTRIBUTE = 5;

        private NodeProto() {
        }
    }

    static final class AttributeProto {
        static final int NAME = 1;
        static final int F = 2;
        static final int I = 3;
        static final int INTS = 8;
        static final int TYPE = 20;

        private AttributeProto() {
        }

        /** AttributeProto.AttributeType, the value of {@link #TYPE}. */
        static final class AttributeType {
            static final int FLOAT = 1;
            static final int INT = 2;
            static final int INTS = 7;

            private AttributeType() {
            }
        }
    }

    static final class TensorProto {
        static final int DIMS = 1;
        static final int DATA_TYPE = 2;
        static final int NAME = 8;
        /** Fixed-width little-endian values. */
        static final int RAW_DATA = 9;

        private TensorProto() {
        }

        /** TensorProto.DataType, the value of {@link #DATA_TYPE} and of TypeProto.Tensor.elem_type. */
        static final class DataType {
            static final int FLOAT = 1;
            static final int INT64 = 7;

            private DataType() {
            }
        }
    }

    static final class ValueInfoProto {
        static final int NAME = 1;
        static final int TYPE = 2;

        private ValueInfoProto() {
        }
    }

    static final class TypeProto {
        static final int TENSOR_TYPE = 1;

        private TypeProto() {
        }

        static final class Tensor {
            static final int ELEM_TYPE = 1;
            static final int SHAPE = 2;

            private Tensor() {
            }
        }
    }

    static final class TensorShapeProto {
        static final int DIM = 1;

        private TensorShapeProto() {
        }

        static final class Dimension {
            static final int DIM_VALUE = 1;
            static final int DIM_PARAM = 2;

            private Dimension() {
            }
        }
    }
}
