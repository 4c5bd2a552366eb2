package dev.kindling.spark.exchange;

import dev.kindling.KindlingException;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.network.sasl.SecretKeyHolder;
import org.apache.spark.network.util.MapConfigProvider;
import org.apache.spark.network.util.TransportConf;
import scala.Tuple2;

/**
 * The settings of a collective: how long a task waits for a peer, the largest message a vector is
 * cut into, and how the tasks authenticate each other. On an executor they come from the
 * SparkConf and the SparkEnv's security manager ({@link #fromSparkEnv}); tests build them directly.
 */
public final class ExchangeSettings {
    public static final String TIMEOUT = "spark.kindling.exchange.timeout";
    public static final String CHUNK_BYTES = "spark.kindling.exchange.chunkBytes";
    static final String DEFAULT_TIMEOUT = "120s";
    static final String DEFAULT_CHUNK = "1m";
    /** The transport's module: its own keys are spark.kindling.exchange.io.* (threads, I/O mode). */
    static final String MODULE = "kindling.exchange";
    /** A message carries at least one float; beyond 64 MiB a chunk no longer overlaps anything. */
    static final long MIN_CHUNK = 4;
    static final long MAX_CHUNK = 64L << 20;

    private final long timeoutMs;
    private final int chunkBytes;
    /** Null when spark.authenticate is off. */
    private final SecretKeyHolder secrets;
    private final String appId;
    /** What the TransportConf reads: the SparkConf's entries, as Spark's SparkTransportConf does. */
    private final Map<String, String> transport;

    /**
     * Settings without a SparkEnv: {@code secrets} null for no authentication; {@code encrypt}
     * chooses AES encryption (Spark's spark.network.crypto.enabled) and needs secrets.
     */
    public ExchangeSettings(long timeoutMs, int chunkBytes, SecretKeyHolder secrets, String appId, boolean encrypt) {
        this(timeoutMs, chunkBytes, secrets, appId, Map.of("spark.network.crypto.enabled", Boolean.toString(encrypt)));
        if (encrypt && secrets == null) {
            throw new IllegalArgumentException("collective: encryption needs authentication (a SecretKeyHolder)");
        }
    }

    private ExchangeSettings(long timeoutMs, int chunkBytes, SecretKeyHolder secrets, String appId, Map<String, String> conf) {
        if (timeoutMs <= 0) {
            throw new KindlingException(TIMEOUT + " must be positive, got " + timeoutMs + " ms");
        }
        if (chunkBytes < MIN_CHUNK || chunkBytes > MAX_CHUNK) {
            throw new KindlingException(CHUNK_BYTES + " must be between " + MIN_CHUNK + " bytes and 64 MiB, got " + chunkBytes);
        }
        this.timeoutMs = timeoutMs;
        this.chunkBytes = chunkBytes;
        this.secrets = secrets;
        this.appId = appId == null ? "kindling" : appId;
        this.transport = new HashMap<>(conf);
        // the tasks compute; the transport only copies bytes: one thread each way
        String io = "spark." + MODULE + ".io.";
        transport.putIfAbsent(io + "serverThreads", "1");
        transport.putIfAbsent(io + "clientThreads", "1");
        transport.putIfAbsent(io + "connectionTimeout", timeoutMs + "ms");
    }

    /** The settings of the executor this runs on: its SparkConf, and its security manager's secret. */
    public static ExchangeSettings fromSparkEnv() {
        SparkEnv env = SparkEnv.get();
        if (env == null) {
            throw new KindlingException("collective: no SparkEnv here; the exchange settings are read inside a Spark task");
        }
        return fromConf(env.conf(), env.securityManager());
    }

    /** The settings {@code conf} gives; {@code secrets} is used when spark.authenticate is on. */
    public static ExchangeSettings fromConf(SparkConf conf, SecretKeyHolder secrets) {
        long timeoutMs = parse(conf, TIMEOUT, DEFAULT_TIMEOUT, () -> conf.getTimeAsMs(TIMEOUT, DEFAULT_TIMEOUT));
        long chunk = parse(conf, CHUNK_BYTES, DEFAULT_CHUNK, () -> conf.getSizeAsBytes(CHUNK_BYTES, DEFAULT_CHUNK));
        if (chunk < MIN_CHUNK || chunk > MAX_CHUNK) {
            throw new KindlingException(CHUNK_BYTES + " must be between " + MIN_CHUNK + " bytes and 64 MiB, got " + conf.get(CHUNK_BYTES));
        }
        boolean authenticate = conf.getBoolean("spark.authenticate", false);
        Map<String, String> entries = new HashMap<>();
        for (Tuple2<String, String> e : conf.getAll()) {
            entries.put(e._1(), e._2());
        }
        return new ExchangeSettings(timeoutMs, (int) chunk, authenticate ? secrets : null, conf.get("spark.app.id", "kindling"), entries);
    }

    private interface Reading {
        long read();
    }

    private static long parse(SparkConf conf, String key, String fallback, Reading reading) {
        try {
            return reading.read();
        } catch (RuntimeException e) {
            throw new KindlingException(key + " = '" + conf.get(key, fallback) + "' is not valid: " + e.getMessage(), e);
        }
    }

    /** How long a task waits for a peer, in milliseconds. */
    public long timeoutMs() {
        return timeoutMs;
    }

    /** The largest float payload of one message, in bytes. */
    public int chunkBytes() {
        return chunkBytes;
    }

    /** Whether the tasks authenticate each other (spark.authenticate). */
    public boolean authenticated() {
        return secrets != null;
    }

    /** Whether the connections are AES-encrypted (spark.network.crypto.enabled, with authentication). */
    public boolean encrypted() {
        return authenticated() && Boolean.parseBoolean(transport.getOrDefault("spark.network.crypto.enabled", "false"));
    }

    SecretKeyHolder secrets() {
        return secrets;
    }

    String appId() {
        return appId;
    }

    TransportConf transportConf() {
        return new TransportConf(MODULE, new MapConfigProvider(transport));
    }

    /** The timeout as a person reads it: "120 s", or "500 ms". */
    String timeoutText() {
        return timeoutMs % 1000 == 0 ? timeoutMs / 1000 + " s" : timeoutMs + " ms";
    }
}
