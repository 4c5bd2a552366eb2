package dev.kindling.spark.exchange;

import dev.kindling.KindlingException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.network.TransportContext;
import org.apache.spark.network.client.RpcResponseCallback;
import org.apache.spark.network.client.TransportClient;
import org.apache.spark.network.client.TransportClientBootstrap;
import org.apache.spark.network.client.TransportClientFactory;
import org.apache.spark.network.crypto.AuthClientBootstrap;
import org.apache.spark.network.crypto.AuthServerBootstrap;
import org.apache.spark.network.server.OneForOneStreamManager;
import org.apache.spark.network.server.RpcHandler;
import org.apache.spark.network.server.StreamManager;
import org.apache.spark.network.server.TransportServer;
import org.apache.spark.network.server.TransportServerBootstrap;

/**
 * Where the tasks of a segment meet: a small server on the driver that each task tells its
 * address and that answers every task, once all of a stage attempt's tasks have come, with all
 * their addresses. Spark's own {@code BarrierTaskContext.allGather} does the same through the
 * driver's RPC, but its tasks poll for the answer once a second (a {@code Thread.sleep(1000)} in
 * Spark 3.5 and 4), which cost every segment a second. Authenticated (and encrypted) as the
 * exchange itself.
 */
public final class Rendezvous implements AutoCloseable {
    private final TransportContext context;
    private final TransportServer server;
    private final String host;
    private final Map<String, Meeting> meetings = new HashMap<>();

    /** The driver's server, on {@code host} (any free port). */
    public Rendezvous(ExchangeSettings settings, String bindHost, String host) {
        this.host = host;
        List<TransportServerBootstrap> bootstraps = settings.authenticated()
                ? List.of(new AuthServerBootstrap(settings.transportConf(), settings.secrets())) : List.of();
        this.context = new TransportContext(settings.transportConf(), new Handler(), false);
        this.server = context.createServer(bindHost, 0, bootstraps);
    }

    /** "host:port", for the tasks. */
    public String address() {
        return host + ":" + server.getPort();
    }

    /**
     * Task {@code rank} of {@code size} of stage attempt {@code stage} tells the driver at
     * {@code driver} its {@code address}; returns every task's, in rank order, once all came.
     */
    public static String[] meet(ExchangeSettings settings, String driver, String stage, int rank, int size,
                                String address) {
        List<TransportClientBootstrap> bootstraps = settings.authenticated()
                ? List.of(new AuthClientBootstrap(settings.transportConf(), settings.appId(), settings.secrets()))
                : List.of();
        int colon = driver.lastIndexOf(':');
        try (TransportContext context = new TransportContext(settings.transportConf(), new NoMessages(), false);
             TransportClientFactory factory = context.createClientFactory(bootstraps)) {
            TransportClient client = factory.createClient(driver.substring(0, colon),
                    Integer.parseInt(driver.substring(colon + 1)));
            String request = stage + "\n" + rank + "\n" + size + "\n" + address;
            ByteBuffer reply = client.sendRpcSync(ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8)),
                    settings.timeoutMs());
            String[] addresses = StandardCharsets.UTF_8.decode(reply).toString().split("\n", -1);
            if (addresses.length != size) {
                throw new KindlingException("collective: the driver at " + driver + " answered " + addresses.length
                        + " addresses for " + size + " tasks");
            }
            return addresses;
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new KindlingException("collective: task " + rank + " could not reach the driver at " + driver + ": "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (e instanceof KindlingException) {
                throw e;
            }
            throw new KindlingException("collective: task " + rank + " could not meet the others through the driver at "
                    + driver + " within " + settings.timeoutText() + " (" + e.getMessage() + "); see "
                    + ExchangeSettings.TIMEOUT, e);
        }
    }

    @Override
    public void close() {
        server.close();
        context.close();
    }

    /** The tasks of one stage attempt that have come so far. */
    private static final class Meeting {
        final String[] addresses;
        final List<RpcResponseCallback> waiting = new ArrayList<>();
        int came;

        Meeting(int size) {
            this.addresses = new String[size];
        }
    }

    private final class Handler extends RpcHandler {
        private final StreamManager streams = new OneForOneStreamManager();

        @Override
        public void receive(TransportClient client, ByteBuffer message, RpcResponseCallback callback) {
            String[] f = StandardCharsets.UTF_8.decode(message).toString().split("\n", -1);
            if (f.length != 4) {
                callback.onFailure(new IllegalArgumentException("not a rendezvous request"));
                return;
            }
            int rank = Integer.parseInt(f[1]);
            int size = Integer.parseInt(f[2]);
            List<RpcResponseCallback> answer = null;
            ByteBuffer reply = null;
            synchronized (meetings) {
                Meeting m = meetings.computeIfAbsent(f[0], k -> new Meeting(size));
                if (rank < 0 || rank >= m.addresses.length) {
                    callback.onFailure(new IllegalArgumentException("rank " + rank + " of " + m.addresses.length));
                    return;
                }
                if (m.addresses[rank] == null) {
                    m.came++;
                }
                m.addresses[rank] = f[3];
                m.waiting.add(callback);
                if (m.came == m.addresses.length) {
                    meetings.remove(f[0]);
                    answer = m.waiting;
                    reply = ByteBuffer.wrap(String.join("\n", m.addresses).getBytes(StandardCharsets.UTF_8));
                }
            }
            if (answer != null) {
                for (RpcResponseCallback c : answer) {
                    c.onSuccess(reply.duplicate());
                }
            }
        }

        @Override
        public StreamManager getStreamManager() {
            return streams;
        }
    }

    /** A client's side: it receives nothing but its answers. */
    private static final class NoMessages extends RpcHandler {
        private final StreamManager streams = new OneForOneStreamManager();

        @Override
        public void receive(TransportClient client, ByteBuffer message, RpcResponseCallback callback) {
            callback.onFailure(new UnsupportedOperationException("a rendezvous client takes no requests"));
        }

        @Override
        public StreamManager getStreamManager() {
            return streams;
        }
    }
}
