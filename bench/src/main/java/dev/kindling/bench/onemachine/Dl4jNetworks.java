package dev.kindling.bench.onemachine;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The {@link Workload}s as Deeplearning4j configurations, in DL4J's recommended fast setup for
 * CPU training: float32, workspaces on for training and inference (its default, stated here).
 * {@code WeightInit.RELU} is He's N(0, 2/fanIn), the same as Kindling's "he"; biases start at
 * zero in both; Adam's defaults (β1 0.9, β2 0.999, ε 1e-8) are the same in both.
 */
public final class Dl4jNetworks {

    private Dl4jNetworks() {
    }

    public static MultiLayerConfiguration configuration(Workload workload, long seed) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(new Adam(Workload.LEARNING_RATE))
                .weightInit(WeightInit.RELU)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .list();
        switch (workload) {
            case MLP:
                return list
                        .layer(new DenseLayer.Builder().nIn(784).nOut(100).activation(Activation.RELU).build())
                        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                                .nIn(100).nOut(10).activation(Activation.SOFTMAX).build())
                        .build();
            case CNN:
                return list
                        .layer(new ConvolutionLayer.Builder(5, 5).nIn(1).nOut(20).stride(1, 1)
                                .activation(Activation.RELU).build())
                        .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                                .kernelSize(2, 2).stride(2, 2).build())
                        .layer(new DenseLayer.Builder().nOut(100).activation(Activation.RELU).build())
                        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                                .nOut(10).activation(Activation.SOFTMAX).build())
                        // Rows of 784 pixels, reshaped to 1×28×28 (NCHW, the same order as Kindling's C×H×W).
                        .setInputType(InputType.convolutionalFlat(28, 28, 1))
                        .build();
            default:
                throw new IllegalStateException(workload.name());
        }
    }
}
