package dev.kindling.spark;

import dev.kindling.io.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.storage.BlockId;
import scala.runtime.AbstractFunction1;

/**
 * A Spark listener for soak runs ({@code scripts/soak}): every {@code spark.kindling.probe.every}
 * jobs it collects garbage and appends one JSON line to {@code spark.kindling.probe.out} with the
 * driver's live heap, the executors' storage memory in use and the number of broadcast blocks
 * the block managers hold. Flat figures over a long run mean no leak of either. Registered with
 * {@code spark.extraListeners}; it is not part of ordinary runs.
 */
public final class MemoryProbe extends SparkListener {
    private final Path out;
    private final int every;
    private long jobs;

    public MemoryProbe(SparkConf conf) {
        this.out = Path.of(conf.get("spark.kindling.probe.out"));
        this.every = conf.getInt("spark.kindling.probe.every", 100);
    }

    @Override
    public void onJobEnd(SparkListenerJobEnd end) {
        jobs++;
        if (jobs % every != 1 && every > 1) {
            return;
        }
        System.gc();
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("job", jobs);
        line.put("driver_heap_mib", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1 << 20));
        line.put("executor_storage_used_mib", storageUsedMib());
        line.put("broadcast_blocks", broadcastBlocks());
        try {
            Files.write(out, (Json.line(line) + "\n").getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long storageUsedMib() {
        long used = 0;
        scala.collection.Iterator<scala.Tuple2<org.apache.spark.storage.BlockManagerId, scala.Tuple2<Object, Object>>> it =
                SparkEnv.get().blockManager().master().getMemoryStatus().iterator();
        while (it.hasNext()) {
            scala.Tuple2<Object, Object> maxAndFree = it.next()._2();
            used += (Long) maxAndFree._1() - (Long) maxAndFree._2();
        }
        return used / (1 << 20);
    }

    public static int broadcastBlocks() {
        return SparkEnv.get().blockManager().master().getMatchingBlockIds(new IsBroadcast(), true).size();
    }

    private static final class IsBroadcast extends AbstractFunction1<BlockId, Object> implements java.io.Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public Object apply(BlockId id) {
            return id.isBroadcast();
        }
    }
}
