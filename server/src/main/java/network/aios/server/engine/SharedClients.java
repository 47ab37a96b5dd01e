package network.aios.server.engine;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.Config;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongSupplier;
import network.aios.member.ClusterOps;
import network.aios.member.desired.ObjectRef;

/**
 * One client per member cluster and control-plane credential, kept between uses (a job's steps, the
 * readiness polls, route changes, attestation reads) instead of a new connection pool and TLS handshake
 * each time. Only the control plane's own credential is shared this way: an owner's admin kubeconfig is
 * opened for its one use and closed. A client nobody has used for {@link #IDLE} is closed; a changed
 * credential (a new bootstrap) is another key, and the old client idles out.
 */
final class SharedClients implements AutoCloseable {
    static final Duration IDLE = Duration.ofMinutes(2);

    private static final class Entry {
        final ClusterOps ops;
        final AtomicInteger borrowed = new AtomicInteger();
        volatile long lastUsed;

        Entry(ClusterOps ops, long now) {
            this.ops = ops;
            this.lastUsed = now;
        }
    }

    private final Function<Config, ClusterOps> open;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, Entry> clients = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper;

    SharedClients(Function<Config, ClusterOps> open) {
        this(open, System::nanoTime);
        sweeper.scheduleWithFixedDelay(this::sweep, 30, 30, TimeUnit.SECONDS);
    }

    /** With the time a test gives; nothing sweeps unless the test calls {@link #sweep()}. */
    SharedClients(Function<Config, ClusterOps> open, LongSupplier nanoTime) {
        this.open = open;
        this.nanoTime = nanoTime;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "aios-member-clients");
            t.setDaemon(true);
            return t;
        });
    }

    /** A client for {@code config}, shared; closing what this returns gives it back. */
    ClusterOps borrow(Config config) {
        Entry e = clients.compute(key(config), (k, existing) -> {
            Entry entry = existing != null ? existing : new Entry(open.apply(config), nanoTime.getAsLong());
            entry.borrowed.incrementAndGet();
            entry.lastUsed = nanoTime.getAsLong();
            return entry;
        });
        return new Borrowed(e, nanoTime);
    }

    int size() {
        return clients.size();
    }

    /** Closes what has been idle for {@link #IDLE} and is not borrowed now. */
    void sweep() {
        long now = nanoTime.getAsLong();
        clients.forEach((k, v) -> clients.computeIfPresent(k, (key, e) -> {
            if (e.borrowed.get() == 0 && now - e.lastUsed > IDLE.toNanos()) {
                e.ops.close();
                return null;
            }
            return e;
        }));
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        clients.values().forEach(e -> e.ops.close());
        clients.clear();
    }

    /** The server, its CA and the token, digested: the credential is not kept as a key. */
    private static String key(Config c) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {
                c.getMasterUrl(), c.getCaCertData(), c.getOauthToken(), Boolean.toString(c.isTrustCerts())
            }) {
                d.update(String.valueOf(part).getBytes(StandardCharsets.UTF_8));
                d.update((byte) 0);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A shared client as one use sees it: everything but {@link #close()} goes to the client. */
    private static final class Borrowed implements ClusterOps {
        private final Entry entry;
        private final LongSupplier nanoTime;
        private boolean returned;

        Borrowed(Entry entry, LongSupplier nanoTime) {
            this.entry = entry;
            this.nanoTime = nanoTime;
        }

        @Override
        public String version() {
            return entry.ops.version();
        }

        @Override
        public boolean may(String verb, String group, String resource, String namespace) {
            return entry.ops.may(verb, group, resource, namespace);
        }

        @Override
        public Applied apply(HasMetadata desired) {
            return entry.ops.apply(desired);
        }

        @Override
        public Optional<String> controlPlaneToken(String namespace, java.time.Duration wait) {
            return entry.ops.controlPlaneToken(namespace, wait);
        }

        @Override
        public List<ObjectRef> labelled(String apiVersion, String kind, String namespace, String label, String value) {
            return entry.ops.labelled(apiVersion, kind, namespace, label, value);
        }

        @Override
        public AutoCloseable watchDeployments(String namespace, Runnable onChange) {
            return entry.ops.watchDeployments(namespace, onChange);
        }

        @Override
        public List<String> notReady(String namespace, List<String> deployments) {
            return entry.ops.notReady(namespace, deployments);
        }

        @Override
        public boolean namespaceGone(String namespace) {
            return entry.ops.namespaceGone(namespace);
        }

        @Override
        public Optional<HasMetadata> get(ObjectRef ref) {
            return entry.ops.get(ref);
        }

        @Override
        public Deletion delete(ObjectRef ref, String resourceVersion) {
            return entry.ops.delete(ref, resourceVersion);
        }

        @Override
        public Optional<String> clusterUid() {
            return entry.ops.clusterUid();
        }

        @Override
        public Optional<network.aios.member.desired.Owner.NamespaceState> namespace(String name) {
            return entry.ops.namespace(name);
        }

        @Override
        public Optional<network.aios.member.desired.Owner.NamespaceState> annotateNamespace(
                String name, String key, String value) {
            return entry.ops.annotateNamespace(name, key, value);
        }

        @Override
        public List<HasMetadata> deployments(String namespace) {
            return entry.ops.deployments(namespace);
        }

        @Override
        public List<Node> nodes() {
            return entry.ops.nodes();
        }

        @Override
        public List<Service> services() {
            return entry.ops.services();
        }

        @Override
        public Optional<Service> service(String namespace, String name) {
            return entry.ops.service(namespace, name);
        }

        @Override
        public boolean hasConfigMap(String namespace, String name) {
            return entry.ops.hasConfigMap(namespace, name);
        }

        @Override
        public Optional<String> configMapData(String namespace, String name, String key) {
            return entry.ops.configMapData(namespace, name, key);
        }

        @Override
        public Applied createOnce(HasMetadata desired) {
            return entry.ops.createOnce(desired);
        }

        @Override
        public boolean hasCrd(String name) {
            return entry.ops.hasCrd(name);
        }

        @Override
        public void close() {
            if (!returned) {
                returned = true;
                entry.lastUsed = nanoTime.getAsLong();
                entry.borrowed.decrementAndGet();
            }
        }
    }
}
