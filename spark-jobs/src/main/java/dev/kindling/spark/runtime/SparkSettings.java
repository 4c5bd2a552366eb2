package dev.kindling.spark.runtime;

import dev.kindling.spark.KindlingKryoRegistrator;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import scala.Tuple2;

/**
 * The Spark settings every Kindling job runs with, set in one place (jobs and tests alike):
 * Kryo with registration required and our registrator, broadcasts without compression or
 * checksums (float vectors do not compress, and the checksum pass costs as much as the copy),
 * task results sent directly instead of through the block manager up to 256 MiB, and Spark
 * SQL's file listing on the driver.
 */
public final class SparkSettings {
    /** Largest task result and RPC message, in MiB. */
    static final int MAX_MESSAGE_MIB = 256;

    private SparkSettings() {
    }

    /**
     * The Spark settings of {@code command} (train, predict, ...): {@code master} (null: the one
     * spark-submit gave, else the default), checked as a Spark master before anything is read or
     * written ({@code single} is no Spark master), with the app name kindling-COMMAND unless one
     * was given, configured as {@link #configure}.
     */
    public static SparkConf forCommand(String master, String command) {
        String m = master != null ? master.trim() : System.getProperty("spark.master", dev.kindling.config.Defaults.MASTER);
        dev.kindling.config.Masters.checkSpark(m, command);
        return configure(new SparkConf(true).setMaster(m).setIfMissing("spark.app.name", "kindling-" + command));
    }

    /** Sets Kindling's settings on {@code conf} (values already there are kept) and returns it. */
    public static SparkConf configure(SparkConf conf) {
        conf.set("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
        conf.set("spark.kryo.registrationRequired", "true");
        conf.set("spark.kryo.registrator", KindlingKryoRegistrator.class.getName());
        setIfMissing(conf, "spark.kryoserializer.buffer.max", "1024m");
        setIfMissing(conf, "spark.broadcast.compress", "false");
        setIfMissing(conf, "spark.broadcast.checksum", "false");
        setIfMissing(conf, "spark.rpc.message.maxSize", Integer.toString(MAX_MESSAGE_MIB));
        setIfMissing(conf, "spark.task.maxDirectResultSize", MAX_MESSAGE_MIB + "m");
        setIfMissing(conf, "spark.driver.maxResultSize", "2g");
        setIfMissing(conf, "spark.ui.showConsoleProgress", "false");
        // a collective segment's barrier stage waits for a slot per shard (an executor coming back
        // after a loss): Spark checks every 15 s by default, which would stall the run that long
        setIfMissing(conf, "spark.scheduler.barrier.maxConcurrentTasksCheck.interval", "1s");
        setIfMissing(conf, "spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures", "300");
        // Spark SQL lists more than 32 folders (image folders of many classes, partitioned Parquet)
        // with a job returning Hadoop's FileStatus classes, which differ by file system and would
        // each need a Kryo registration: list on the driver instead
        setIfMissing(conf, "spark.sql.sources.parallelPartitionDiscovery.threshold", "1000000");
        String master = conf.get("spark.master", "");
        if (master.startsWith("local")) {
            // an embedded Spark talks to itself only: keep it on the loopback interface
            setIfMissing(conf, "spark.driver.host", "127.0.0.1");
            setIfMissing(conf, "spark.driver.bindAddress", "127.0.0.1");
            setIfMissing(conf, "spark.ui.enabled", "false");
        }
        return conf;
    }

    private static void setIfMissing(SparkConf conf, String key, String value) {
        if (!conf.contains(key)) {
            conf.set(key, value);
        }
    }

    /** Hadoop settings as Spark would give them: the defaults plus every spark.hadoop.* entry. */
    public static Configuration hadoop(SparkConf conf) {
        Configuration hadoop = new Configuration();
        hadoopEntries(conf).forEach(hadoop::set);
        return hadoop;
    }

    /** The Hadoop settings {@code conf} gives ({@code spark.hadoop.*}, the prefix removed), for executors. */
    public static Map<String, String> hadoopEntries(SparkConf conf) {
        Map<String, String> entries = new TreeMap<>();
        for (Tuple2<String, String> e : conf.getAll()) {
            if (e._1().startsWith("spark.hadoop.")) {
                entries.put(e._1().substring("spark.hadoop.".length()), e._2());
            }
        }
        return entries;
    }
}
