package dev.kindling.nn;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.kindling.KindlingException;
import dev.kindling.backend.Backend;
import dev.kindling.init.Initializer;

/**
 * The serialisable description of one layer — what a model file and a config file hold.
 * Executors rebuild the runtime {@link Layer} from it and the broadcast parameter vector.
 * The JSON form is {@code {"type": "dense", "units": 100, "init": "he"}} and so on.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = LayerSpec.Dense.class, name = "dense"),
    @JsonSubTypes.Type(value = LayerSpec.Conv.class, name = "conv"),
    @JsonSubTypes.Type(value = LayerSpec.MaxPool.class, name = "maxpool"),
    @JsonSubTypes.Type(value = LayerSpec.BatchNorm.class, name = "batchnorm"),
    @JsonSubTypes.Type(value = LayerSpec.Dropout.class, name = "dropout"),
    @JsonSubTypes.Type(value = LayerSpec.Relu.class, name = "relu"),
    @JsonSubTypes.Type(value = LayerSpec.Sigmoid.class, name = "sigmoid"),
    @JsonSubTypes.Type(value = LayerSpec.Tanh.class, name = "tanh"),
    @JsonSubTypes.Type(value = LayerSpec.Flatten.class, name = "flatten"),
})
public sealed interface LayerSpec {

    Layer build(Shape in, Backend backend);

    record Dense(Integer units, String init) implements LayerSpec {
        public Dense {
            if (units == null) {
                throw new KindlingException("dense.units: missing");
            }
            if (units <= 0) {
                throw new KindlingException("dense.units: " + units + " must be > 0");
            }
            Initializer.parse("dense.init", init == null ? "he" : init);
            init = init == null ? "he" : init;
        }

        @Override
        public Layer build(Shape in, Backend backend) {
            return new dev.kindling.nn.Dense(in, units, Initializer.parse("dense.init", init), backend);
        }
    }

    record Conv(Integer filters, Integer kernel, Integer stride, Integer padding, String init) implements LayerSpec {
        public Conv {
            if (filters == null || kernel == null) {
                throw new KindlingException("conv: " + (filters == null ? "filters" : "kernel") + " missing");
            }
            stride = stride == null ? 1 : stride;
            padding = padding == null ? 0 : padding;
            init = init == null ? "he" : init;
            Initializer.parse("conv.init", init);
        }

        @Override
        public Layer build(Shape in, Backend backend) {
            return new Conv2D(in, filters, kernel, stride, padding, Initializer.parse("conv.init", init), backend);
        }
    }

    record MaxPool(Integer size, Integer stride) implements LayerSpec {
        public MaxPool {
            if (size == null) {
                throw new KindlingException("maxpool.size: missing");
            }
            stride = stride == null ? size : stride;
        }

        @Override
        public Layer build(Shape in, Backend backend) {
            if (in.isVector()) {
                throw new KindlingException("maxpool: needs an image input, got a vector of " + in);
            }
            return new MaxPool2D(in, size, stride);
        }
    }

    record BatchNorm(Double momentum, Double eps) implements LayerSpec {
        public BatchNorm {
            momentum = momentum == null ? 0.9 : momentum;
            eps = eps == null ? 1e-5 : eps;
        }

        @Override
        public Layer build(Shape in, Backend backend) {
            return new dev.kindling.nn.BatchNorm(in, momentum, eps);
        }
    }

    record Dropout(Double rate) implements LayerSpec {
        public Dropout {
            if (rate == null) {
                throw new KindlingException("dropout.rate: missing");
            }
            if (!(rate >= 0 && rate < 1)) {
                throw new KindlingException("dropout.rate: " + rate + " is out of range [0, 1)");
            }
        }

        @Override
        public Layer build(Shape in, Backend backend) {
            return new dev.kindling.nn.Dropout(in, rate);
        }
    }

    record Relu() implements LayerSpec {
        @Override
        public Layer build(Shape in, Backend backend) {
            return new dev.kindling.nn.Relu(in);
        }
    }

    record Sigmoid() implements LayerSpec {
        @Override
        public Layer build(Shape in, Backend backend) {
            return new dev.kindling.nn.Sigmoid(in);
        }
    }

    record Tanh() implements LayerSpec {
        @Override
        public Layer build(Shape in, Backend backend) {
            return new dev.kindling.nn.Tanh(in);
        }
    }

    record Flatten() implements LayerSpec {
        @Override
        public Layer build(Shape in, Backend backend) {
            return new dev.kindling.nn.Flatten(in);
        }
    }
}
