package network.aios.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import network.aios.api.ClusterDocument;
import network.aios.api.ClusterValidator;
import network.aios.api.Json;
import network.aios.server.ControlPlane;
import network.aios.server.ServerConfig;
import network.aios.server.TestServer;
import network.aios.store.Database;
import network.aios.store.TestPostgres;
import tools.jackson.databind.node.ObjectNode;

/**
 * createCluster over HTTP with concurrent clients, at 10k and 100k registered clusters, beside the
 * same documents inserted by plain JDBC into the same database in the same run (the storage limit).
 * Goal: HTTP throughput >= 0.6x the JDBC limit, p99 <= 20 ms.
 *
 * <p>Run: {@code mvn -q -B install -DskipTests && mvn -q -B -pl bench exec:java}
 * (options: -Dclients=16 -Dops=10000 -Dwarmup=20000 -Dlevels=10000,100000; -Dstore=embedded runs on the
 * product's embedded PostgreSQL, fsync and synchronous commit on, instead of the test fixture's).
 */
public final class CreateClusterBench {
    private static final String SEED = new String(TestServer.example("cluster.json"), StandardCharsets.UTF_8);

    public static void main(String[] args) throws Exception {
        int clients = Integer.getInteger("clients", 16);
        int ops = Integer.getInteger("ops", 10000);
        int warmup = Integer.getInteger("warmup", 20000);
        String[] levels = System.getProperty("levels", "10000,100000").split(",");
        boolean product = "embedded".equals(System.getProperty("store"));
        try (Database db = product
                        ? Database.embedded(
                                java.nio.file.Files.createTempDirectory("bench-pg")
                                        .resolve("postgres"),
                                clients + 8)
                        : TestPostgres.freshDatabase(clients + 8);
                ControlPlane cp = ControlPlane.start(
                        ServerConfig.defaults(java.nio.file.Files.createTempDirectory("bench"))
                                .withPort(0),
                        db,
                        Clock.systemUTC())) {
            String url = "http://127.0.0.1:" + cp.port() + "/api/createCluster";
            String token = cp.bootstrapToken();
            HttpClient http =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            System.out.printf(
                    "createCluster benchmark: %d concurrent clients, %d creates per measurement, %d cores, %s%n",
                    clients,
                    ops,
                    Runtime.getRuntime().availableProcessors(),
                    product
                            ? "embedded PostgreSQL as the product runs it (fsync, synchronous_commit on)"
                            : "test PostgreSQL (fsync off, synchronous_commit off)");
            System.out.printf(
                    "%-12s %-28s %-28s %-8s %s%n",
                    "registered",
                    "HTTP createCluster",
                    "plain JDBC insert (limit)",
                    "ratio",
                    "goal: ratio >= 0.60, p99 <= 20 ms");
            // warm-up: the JIT compiles the whole request path first (on 2 cores this takes a while), not measured
            http(http, url, token, clients, warmup, "warm");
            jdbc(db, clients, warmup / 4, "warmjdbc");
            db.jdbi().useHandle(h -> h.execute("DELETE FROM clusters WHERE id LIKE 'bench-warm%'"));
            int round = 0;
            for (String level : levels) {
                int target = Integer.parseInt(level.trim());
                preload(db, target - (int) count(db));
                round++;
                Stats h = http(http, url, token, clients, ops, "h" + round);
                Stats j = jdbc(db, clients, ops, "j" + round);
                double ratio = h.perSecond() / j.perSecond();
                boolean ok = ratio >= 0.6 && h.percentileMillis(99) <= 20;
                System.out.printf(
                        "%-12d %6.0f/s p50 %5.2f p99 %5.2f ms  %6.0f/s p50 %5.2f p99 %5.2f ms  %-8.2f %s%n",
                        target,
                        h.perSecond(),
                        h.percentileMillis(50),
                        h.percentileMillis(99),
                        j.perSecond(),
                        j.percentileMillis(50),
                        j.percentileMillis(99),
                        ratio,
                        ok ? "met" : "NOT met");
                // the measured rows stay: the next level counts them
            }
        }
        System.exit(0);
    }

    private static long count(Database db) {
        return db.jdbi()
                .withHandle(h -> h.createQuery("SELECT count(*) FROM clusters")
                        .mapTo(Long.class)
                        .one());
    }

    private static String doc(String id) {
        return SEED.replace("\"cluster-west-vision-001\"", "\"" + id + "\"");
    }

    /** One measured operation, numbered; each worker thread gets its own context (e.g. a connection). */
    interface Op<C> {
        void run(C context, int i) throws Exception;
    }

    interface Context<C> {
        C open() throws Exception;
    }

    /** Runs {@code ops} operations on {@code clients} threads; latency of each, throughput of all. */
    private static <C> Stats measure(int clients, int ops, Context<C> context, Op<C> op) throws Exception {
        AtomicInteger next = new AtomicInteger();
        long[] lat = new long[ops];
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        List<Future<?>> fs = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            fs.add(pool.submit(() -> {
                C ctx = context.open();
                try {
                    for (int i = next.getAndIncrement(); i < ops; i = next.getAndIncrement()) {
                        long t0 = System.nanoTime();
                        op.run(ctx, i);
                        lat[i] = System.nanoTime() - t0;
                    }
                } finally {
                    if (ctx instanceof AutoCloseable a) {
                        a.close();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        double secs = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        return new Stats(ops, secs, lat);
    }

    private static Stats http(HttpClient http, String url, String token, int clients, int ops, String prefix)
            throws Exception {
        return measure(clients, ops, () -> null, (ignored, i) -> {
            HttpRequest r = HttpRequest.newBuilder(URI.create(url))
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(doc("bench-" + prefix + "-" + i)))
                    .build();
            HttpResponse<Void> resp = http.send(r, HttpResponse.BodyHandlers.discarding());
            if (resp.statusCode() != 201) {
                throw new IllegalStateException("HTTP " + resp.statusCode());
            }
        });
    }

    /** The same row the server writes, one transaction per document, by the same number of threads. */
    private static Stats jdbc(Database db, int clients, int ops, String prefix) throws Exception {
        ObjectNode base =
                new ClusterValidator().validate(Json.MAPPER.readTree(SEED)).document();
        ClusterDocument typed = ClusterDocument.of(base);
        return measure(clients, ops, () -> db.dataSource().getConnection(), (conn, i) -> {
            String id = "bench-" + prefix + "-" + i;
            insert(conn, id, Json.MAPPER.writeValueAsString(base.deepCopy().put("id", id)), typed);
        });
    }

    static void insert(Connection conn, String id, String json, ClusterDocument t) throws Exception {
        try (PreparedStatement ps = conn.prepareStatement("""
                INSERT INTO clusters (id, owner, region_id, requested_status, document, tags, gpu_models,
                    gpu_count, vcpus, memory_mb, policy_action, policy_version, version, created_at, updated_at)
                VALUES (?, 'admin', ?, 'live', CAST(? AS jsonb), ?, ?, ?, ?, ?, 'add_cluster', NULL, 1, ?, ?)
                ON CONFLICT (id) DO NOTHING""")) {
            Timestamp now = Timestamp.from(Instant.now());
            ps.setString(1, id);
            ps.setString(2, t.regionId());
            ps.setString(3, json);
            ps.setArray(4, conn.createArrayOf("text", t.tagsOrEmpty().toArray()));
            ps.setArray(5, conn.createArrayOf("text", t.gpuModels().toArray()));
            ps.setInt(6, t.gpus().count());
            ps.setInt(7, t.vcpus().count());
            ps.setLong(8, t.memory());
            ps.setTimestamp(9, now);
            ps.setTimestamp(10, now);
            ps.executeUpdate();
        }
    }

    /** Registers {@code n} more clusters quickly (multi-row batches) so a level is reached. */
    private static void preload(Database db, int n) throws Exception {
        if (n <= 0) {
            return;
        }
        ObjectNode base =
                new ClusterValidator().validate(Json.MAPPER.readTree(SEED)).document();
        ClusterDocument typed = ClusterDocument.of(base);
        long t0 = System.nanoTime();
        long offset = count(db);
        try (Connection conn = db.dataSource().getConnection()) {
            conn.setAutoCommit(false);
            for (int i = 0; i < n; i++) {
                String id = "pre-" + (offset + i);
                insert(conn, id, Json.MAPPER.writeValueAsString(base.deepCopy().put("id", id)), typed);
                if (i % 1000 == 999) {
                    conn.commit();
                }
            }
            conn.commit();
        }
        System.out.printf("(preloaded %d clusters in %.1f s)%n", n, (System.nanoTime() - t0) / 1e9);
    }
}
