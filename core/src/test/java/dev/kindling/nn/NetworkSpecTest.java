package dev.kindling.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.KindlingException;
import dev.kindling.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NetworkSpecTest {

    @Test
    void mlpShorthandBuildsReluHiddenLayersAndSoftmax() {
        NetworkSpec spec = NetworkSpec.mlp("784-100-50-10", "he", 0.2);
        assertEquals(Shape.vector(784), spec.input());
        assertEquals(7, spec.layers().size()); // dense relu dropout dense relu dropout dense
        assertEquals(SoftmaxCrossEntropy.NAME, spec.loss());
        assertTrue(spec.accepts(new Shape(1, 28, 28)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"784", "784-x-10", "784--10", "784-0-10", "784-100-10-", "", "784,100,10"})
    void malformedArchIsNamed(String arch) {
        KindlingException e = assertThrows(KindlingException.class, () -> NetworkSpec.mlp(arch, "he", 0));
        assertTrue(e.getMessage().startsWith("arch: "), e.getMessage());
        assertTrue(e.getMessage().contains(arch), e.getMessage());
    }

    @Test
    void jsonRoundTrip() throws Exception {
        NetworkSpec spec = new NetworkSpec(new Shape(1, 28, 28), java.util.List.of(
                new LayerSpec.Conv(8, 5, 1, 2, "he"), new LayerSpec.BatchNorm(0.9, 1e-5), new LayerSpec.Relu(),
                new LayerSpec.MaxPool(2, 2), new LayerSpec.Flatten(), new LayerSpec.Dropout(0.5),
                new LayerSpec.Dense(10, "xavier"), new LayerSpec.Sigmoid(), new LayerSpec.Tanh()),
                IdentityMse.NAME);
        String json = Json.JSON.writeValueAsString(spec);
        assertTrue(json.contains("\"input\":[1,28,28]"), json);
        assertEquals(spec, Json.JSON.readValue(json, NetworkSpec.class));
    }

    @Test
    void unknownLayerTypeAndKeyAreNamed() {
        String badType = "{\"input\":[4,1,1],\"layers\":[{\"type\":\"denze\",\"units\":3}]}";
        KindlingException t = assertThrows(KindlingException.class, () -> parse(badType));
        assertTrue(t.getMessage().contains("denze"), t.getMessage());
        String badKey = "{\"input\":[4,1,1],\"layers\":[{\"type\":\"dense\",\"units\":3,\"unitz\":3}]}";
        KindlingException k = assertThrows(KindlingException.class, () -> parse(badKey));
        assertTrue(k.getMessage().contains("unitz"), k.getMessage());
    }

    @Test
    void badLayerValuesAreNamed() {
        KindlingException e = assertThrows(KindlingException.class,
                () -> parse("{\"input\":[4,1,1],\"layers\":[{\"type\":\"dense\",\"units\":-3}]}"));
        assertTrue(e.getMessage().contains("dense.units") && e.getMessage().contains("-3"), e.getMessage());
        KindlingException loss = assertThrows(KindlingException.class,
                () -> parse("{\"input\":[4,1,1],\"layers\":[{\"type\":\"relu\"}],\"loss\":\"hinge\"}"));
        assertTrue(loss.getMessage().contains("hinge"), loss.getMessage());
    }

    private static NetworkSpec parse(String json) {
        try {
            return Json.JSON.readValue(json, NetworkSpec.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw Json.error("spec.json", e);
        }
    }
}
