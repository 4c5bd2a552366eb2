package dev.kindling.bench.onemachine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kindling.backend.Backends;
import dev.kindling.nn.Network;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Both frameworks train the same network: same parameter count, same number of outputs. */
class SameNetworksTest {

    @ParameterizedTest
    @EnumSource(Workload.class)
    void kindlingAndDl4jHaveTheSameParameters(Workload workload) {
        Network kindling = Network.build(workload.kindlingSpec(), Backends.create("loop"));
        MultiLayerNetwork dl4j = new MultiLayerNetwork(Dl4jNetworks.configuration(workload, 1));
        dl4j.init();

        assertEquals(dl4j.numParams(), kindling.parameters().length, workload + " parameter count");
        assertEquals(workload == Workload.MLP ? 79_510 : 289_630, kindling.parameters().length);
        assertEquals(10, kindling.outputCount());
        assertEquals(dl4j.layerSize(dl4j.getnLayers() - 1), kindling.outputCount());
    }
}
