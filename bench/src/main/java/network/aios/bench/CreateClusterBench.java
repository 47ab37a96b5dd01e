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
import java.util.Map;
import java.util.TreeMap;
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
import network.aios.store.ObservationStore;
import tools.jackson.databind.node.ObjectNode;

/**
 * createCluster over HTTP with concurrent clients, at 10k and 100k registered clusters, beside the
 * same registrations written by plain JDBC into the same database in the same run (the storage limit): what
 * the product writes for one, the cluster's row (jsonb document, {@code document_text}, the typed columns,
 * reputation) and its audit row, in one statement and one transaction, as {@code ClusterStore} does. Before
 * measuring, one registration over HTTP and one by the limit are compared table by table and column by column;
 * the run stops if they differ. Goal: HTTP throughput >= 0.6x the JDBC limit, p99 <= 20 ms.
 *
 * <p>Run: {@code mvn -q -B install -DskipTests && cd bench && mvn -q -B exec:java}
 * (options: -Dclients=16 -Dops=10000 -Dwarmup=20000 -Dlevels=10000,100000; on the product's embedded PostgreSQL,
 * durable, unless -Ddurable=false). The output is kept in {@code bench/results/} ({@link Report}).
 */
public final class CreateClusterBench {
    private static final String SEED = new String(TestServer.example("cluster.json"), StandardCharsets.UTF_8);
    /** The seed's {@code status}: what a registration stores as the requested status. */
    private static final String REQUESTED_STATUS = requestedStatus();

    private static String requestedStatus() {
        // as ClusterView.requestedStatus does
        tools.jackson.databind.JsonNode s = new ClusterValidator()
                .validate(Json.MAPPER.readTree(SEED))
                .document()
                .get("status");
        return s == null || s.isNull() ? null : s.asString();
    }

    public static void main(String[] args) throws Exception {
        System.exit(Report.run(CreateClusterBench.class, CreateClusterBench::run));
    }

    private static void run(Report report) throws Exception {
        int clients = report.option("clients", 16);
        int ops = report.option("ops", 10000);
        int warmup = report.option("warmup", 20000);
        String[] levels = report.option("levels", "10000,100000").split(",");
        try (Database db = report.database(clients + 8);
                ControlPlane cp = ControlPlane.start(
                        ServerConfig.defaults(report.scratch("server")).withPort(0), db, Clock.systemUTC())) {
            String url = "http://127.0.0.1:" + cp.port() + "/api/createCluster";
            String token = cp.bootstrapToken();
            HttpClient http =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            System.out.printf(
                    "createCluster benchmark: %d concurrent clients, %d creates per measurement, %d warm-up creates"
                            + " on each side first%n",
                    clients, ops, warmup);
            // warm-up: the JIT compiles the whole request path first (on 2 cores this takes a while), not measured
            http(http, url, token, clients, warmup, "warm");
            jdbc(db, clients, warmup / 4, "warmjdbc");
            sameWrites(db, http, url, token);
            db.jdbi().useHandle(h -> h.execute("DELETE FROM clusters WHERE id LIKE 'bench-warm%'"));
            System.out.printf(
                    "%-12s %-28s %-28s %-8s %s%n",
                    "registered",
                    "HTTP createCluster",
                    "plain JDBC, same writes (limit)",
                    "ratio",
                    "goal: ratio >= 0.60, p99 <= 20 ms");
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
            report.databaseSummary(db);
        }
    }

    /**
     * One registration over HTTP and one by the limit, compared: the same tables gain the same number of rows, and
     * the rows hold the same values (but for the id and the times). Throws if not: the limit would not be one.
     */
    private static void sameWrites(Database db, HttpClient http, String url, String token) throws Exception {
        Map<String, Long> before = rowCounts(db);
        http(http, url, token, 1, 1, "same-http");
        Map<String, Long> afterHttp = rowCounts(db);
        jdbc(db, 1, 1, "same-jdbc");
        Map<String, Long> afterJdbc = rowCounts(db);
        Map<String, Long> byHttp = new TreeMap<>();
        Map<String, Long> byJdbc = new TreeMap<>();
        for (String t : before.keySet()) {
            long h = afterHttp.get(t) - before.get(t);
            long j = afterJdbc.get(t) - afterHttp.get(t);
            if (h != 0) {
                byHttp.put(t, h);
            }
            if (j != 0) {
                byJdbc.put(t, j);
            }
        }
        String http1 = written(db, "bench-same-http-0");
        String jdbc1 = written(db, "bench-same-jdbc-0");
        if (!byHttp.equals(byJdbc) || !http1.equals(jdbc1)) {
            throw new IllegalStateException("the JDBC limit does not write what a registration writes: rows " + byHttp
                    + " vs " + byJdbc + "\nHTTP: " + http1 + "\nJDBC: " + jdbc1);
        }
        System.out.printf(
                "checked: one registration writes rows %s over HTTP and by the limit, the same values in every"
                        + " column (ids and times aside)%n",
                byHttp);
    }

    private static Map<String, Long> rowCounts(Database db) {
        return db.jdbi().withHandle(h -> {
            Map<String, Long> counts = new TreeMap<>();
            for (String t : h.createQuery("SELECT table_name FROM information_schema.tables WHERE table_schema ="
                            + " current_schema() AND table_type = 'BASE TABLE' AND table_name <>"
                            + " 'flyway_schema_history'")
                    .mapTo(String.class)
                    .list()) {
                counts.put(
                        t,
                        h.createQuery("SELECT count(*) FROM \"" + t + "\"")
                                .mapTo(Long.class)
                                .one());
            }
            return counts;
        });
    }

    /** A registration's rows as text, its id and times taken out. */
    private static String written(Database db, String id) {
        return db.jdbi()
                .withHandle(h ->
                        h.createQuery("""
                        SELECT replace((to_jsonb(c) - 'created_at' - 'updated_at')::text, :id, '<id>')
                            || ' audit ' || coalesce((SELECT string_agg(replace((to_jsonb(a) - 'seq' - 'at')::text,
                                :id, '<id>'), ', ') FROM audit_log a WHERE a.target = c.id), 'none')
                            || ' times ' || (c.created_at = c.updated_at)::text
                        FROM clusters c WHERE c.id = :id""").bind("id", id).mapTo(String.class).one());
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

    /**
     * What a registration writes, one transaction per registration, by the same number of threads: see
     * {@link #insert}.
     */
    private static Stats jdbc(Database db, int clients, int ops, String prefix) throws Exception {
        ObjectNode base = stored();
        ClusterDocument typed = ClusterDocument.of(base);
        return measure(clients, ops, () -> db.dataSource().getConnection(), (conn, i) -> {
            String id = "bench-" + prefix + "-" + i;
            insert(conn, id, Json.MAPPER.writeValueAsString(base.deepCopy().put("id", id)), typed);
        });
    }

    /**
     * The seed as a registration stores it: validated, then without what the server owns ({@code status},
     * {@code reputation}, {@code system}), as {@code ClusterView.stored} takes them out.
     */
    static ObjectNode stored() {
        ObjectNode doc =
                new ClusterValidator().validate(Json.MAPPER.readTree(SEED)).document();
        for (String serverOwned : List.of("status", "reputation", "system")) {
            doc.remove(serverOwned);
        }
        return doc;
    }

    /**
     * The statement {@code ClusterStore.insert} runs for an admin's registration (the request path's only write):
     * the cluster's row, with the document both as jsonb and as the text the owner wrote ({@code document_text}),
     * the typed columns, the prior reputation, and its audit entry, in one statement (one transaction in
     * autocommit). The computed status, the infrastructure phase and health take their defaults there too.
     */
    private static final String INSERT = """
            WITH ins AS (
                INSERT INTO clusters (id, owner, region_id, requested_status, document, document_text, tags,
                    gpu_models, gpu_count, vcpus, memory_mb, policy_action, policy_version, reputation, version,
                    created_at, updated_at)
                VALUES (?, 'admin', ?, ?, CAST(? AS jsonb), ?, ?, ?, ?, ?, ?, 'add_cluster', NULL, ?, 1, ?, ?)
                ON CONFLICT (id) DO NOTHING
                RETURNING id)
            INSERT INTO audit_log (at, actor, action, target)
            SELECT ?, 'admin', 'cluster.create', id FROM ins""";

    static void insert(Connection conn, String id, String json, ClusterDocument t) throws Exception {
        try (PreparedStatement ps = conn.prepareStatement(INSERT)) {
            Timestamp now = Timestamp.from(Instant.now());
            int i = 0;
            ps.setString(++i, id);
            ps.setString(++i, t.regionId());
            ps.setString(++i, REQUESTED_STATUS);
            ps.setString(++i, json);
            ps.setString(++i, json);
            ps.setArray(++i, conn.createArrayOf("text", t.tagsOrEmpty().toArray()));
            ps.setArray(++i, conn.createArrayOf("text", t.gpuModels().toArray()));
            ps.setInt(++i, t.gpus().count());
            ps.setInt(++i, t.vcpus().count());
            ps.setLong(++i, t.memory());
            ps.setDouble(++i, ObservationStore.PRIOR_REPUTATION);
            ps.setTimestamp(++i, now);
            ps.setTimestamp(++i, now);
            ps.setTimestamp(++i, now);
            ps.executeUpdate();
        }
    }

    /** Registers {@code n} more clusters quickly (multi-row batches) so a level is reached. */
    private static void preload(Database db, int n) throws Exception {
        if (n <= 0) {
            return;
        }
        ObjectNode base = stored();
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
