package network.aios.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import network.aios.api.ClusterDocument;
import network.aios.api.Json;
import network.aios.server.ControlPlane;
import network.aios.server.ServerConfig;
import network.aios.store.Database;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Heartbeat ingestion from simulated agents of many clusters (each with its own agent credential and
 * a truthful inventory of the seed's two nodes), driven by wrk, then the time the control plane takes
 * to notice that they all went silent. Goals: >= 5,000 heartbeats/s on this machine; every silent
 * cluster detected within the grace + 5 s.
 *
 * <p>Run: {@code mvn -q -B install -DskipTests && cd bench && mvn -q -B exec:java
 * -Dbench=network.aios.bench.HeartbeatBench} (options: -Dclusters=10000 -Dseconds=30 -Dconnections=64
 * -Dgrace=10; on the product's embedded PostgreSQL, durable, unless -Ddurable=false). Needs {@code wrk} (Debian:
 * apt install wrk). The output is kept in {@code bench/results/} ({@link Report}).
 */
public final class HeartbeatBench {

    public static void main(String[] args) throws Exception {
        System.exit(Report.run(HeartbeatBench.class, HeartbeatBench::run));
    }

    private static void run(Report report) throws Exception {
        int clusters = report.option("clusters", 10000);
        int seconds = report.option("seconds", 30);
        int connections = report.option("connections", 64);
        Duration grace = Duration.ofSeconds(report.option("grace", 10));
        Path work = report.scratch("heartbeat");
        try (Database db = report.database(24);
                ControlPlane cp = ControlPlane.start(
                        ServerConfig.defaults(work).withPort(0).withHeartbeatGrace(grace), db, Clock.systemUTC())) {
            System.out.printf(
                    "heartbeat benchmark: %d clusters, %d connections, %d s measured, grace %d s; load from %s%n",
                    clusters,
                    connections,
                    seconds,
                    grace.toSeconds(),
                    Report.run(List.of("wrk", "--version"))
                            .lines()
                            .findFirst()
                            .orElse("wrk")
                            .trim());
            long t0 = System.nanoTime();
            Path tokens = register(db, cp, clusters, work);
            System.out.printf(
                    "(registered %d clusters and their agent credentials in %.1f s)%n",
                    clusters, (System.nanoTime() - t0) / 1e9);
            Path body = work.resolve("heartbeat.json");
            Files.writeString(body, heartbeat());
            Path script = work.resolve("heartbeat.lua");
            Files.writeString(script, LUA);
            String url = "http://127.0.0.1:" + cp.port();

            int warm = Math.max(10, seconds / 3);
            Wrk warmup = wrk(url, script, tokens, body, connections, warm); // warm-up: JIT, caches
            System.out.printf(
                    "warm-up (%d s, not measured): %,.0f heartbeats/s  p50 %s  p99 %s  non-2xx %d%n",
                    warm, warmup.rate, warmup.p50, warmup.p99, warmup.non2xx);
            Thread.sleep(1000); // the warm-up's last batch is written
            long before = storedHeartbeats(db);
            Wrk run = wrk(url, script, tokens, body, connections, seconds);
            Thread.sleep(1000); // let the last batch be written (flushes every 200 ms)
            long stored = storedHeartbeats(db) - before;
            System.out.printf(
                    "ingest: %,.0f heartbeats/s (goal >= 5,000)  p50 %s  p99 %s  non-2xx %d  "
                            + "sent %,d  stored %,d%n",
                    run.rate, run.p50, run.p99, run.non2xx, run.requests, stored);

            // everyone has gone silent now: how long until each is seen as such?
            long deadline = System.nanoTime() + grace.plusSeconds(60).toNanos();
            while (unknown(db) < countObserved(db) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            double[] d = detection(db);
            System.out.printf(
                    "detection: %d of %d silent clusters Unknown; delay after the last heartbeat p50 %.1f s, "
                            + "max %.1f s (goal <= grace + 5 = %d s)%n",
                    unknown(db), countObserved(db), d[0], d[1], grace.toSeconds() + 5);
            report.databaseSummary(db);
        }
    }

    /** N clusters of the seed's shape, live, each with its own agent credential: "id token" per line. */
    static Path register(Database db, ControlPlane cp, int n, Path work) throws Exception {
        ObjectNode base = CreateClusterBench.stored(); // as a registration stores it
        ClusterDocument typed = ClusterDocument.of(base);
        try (Connection conn = db.dataSource().getConnection()) {
            conn.setAutoCommit(false);
            for (int i = 0; i < n; i++) {
                String id = "hb-" + i;
                CreateClusterBench.insert(
                        conn, id, Json.MAPPER.writeValueAsString(base.deepCopy().put("id", id)), typed);
            }
            conn.commit();
        }
        db.jdbi().useHandle(h -> h.execute("UPDATE clusters SET infra_phase = 'ready' WHERE id LIKE 'hb-%'"));
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            lines.add(
                    "hb-" + i + " " + cp.tokens().issueAgent("hb-" + i, "bench").token());
        }
        Path file = work.resolve("tokens.txt");
        Files.write(file, lines);
        return file;
    }

    /** What a controller agent sends for the seed's two nodes: it matches the document. */
    static String heartbeat() {
        ObjectNode body = Json.object();
        body.putObject("agent").put("role", "controller").put("version", "bench");
        ArrayNode nodes = body.putObject("inventory").putArray("nodes");
        int[][] shape = {{32, 128_500, 2}, {16, 64_200, 1}};
        String[] products = {"NVIDIA-A100-SXM4-40GB", "Tesla-V100-PCIE-16GB"};
        for (int i = 0; i < 2; i++) {
            ObjectNode n = nodes.addObject()
                    .put("name", "worker-" + (i + 1))
                    .put("nodeId", "node-" + (i + 1))
                    .put("ready", true);
            n.putObject("capacity")
                    .put("vcpus", shape[i][0])
                    .put("memoryMB", shape[i][1])
                    .put("ephemeralStorageMB", 500_000)
                    .put("gpus", shape[i][2]);
            n.putObject("gpu").put("product", products[i]).put("count", shape[i][2]);
        }
        return body.toString();
    }

    private static final String LUA = """
            local lines = {}
            for line in io.lines(os.getenv("AIOS_BENCH_TOKENS")) do
              local id, tok = line:match("^(%S+) (%S+)$")
              lines[#lines + 1] = {path = "/api/v1/clusters/" .. id .. "/heartbeat", auth = "Bearer " .. tok}
            end
            local f = io.open(os.getenv("AIOS_BENCH_BODY"))
            local body = f:read("*a")
            f:close()
            local i = 0
            function init(args)
              math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
              i = math.random(#lines)
            end
            function request()
              i = i % #lines + 1
              local l = lines[i]
              return wrk.format("POST", l.path, {["Authorization"] = l.auth, ["Content-Type"] = "application/json"}, body)
            end
            """;

    record Wrk(double rate, String p50, String p99, long requests, long non2xx) {}

    static Wrk wrk(String url, Path script, Path tokens, Path body, int connections, int seconds)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(
                        "wrk",
                        "-t2",
                        "-c" + connections,
                        "-d" + seconds + "s",
                        "--latency",
                        "-s",
                        script.toString(),
                        url)
                .redirectErrorStream(true);
        pb.environment().put("AIOS_BENCH_TOKENS", tokens.toString());
        pb.environment().put("AIOS_BENCH_BODY", body.toString());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("this benchmark drives the server with wrk: apt install wrk", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("wrk failed:\n" + out);
        }
        return new Wrk(
                Double.parseDouble(find(out, "Requests/sec:\\s+([0-9.]+)")),
                // the latency distribution's lines (a "+/- Stdev" column such as "71.50%" must not match)
                find(out, "(?m)^\\s+50%\\s+(\\S+)"),
                find(out, "(?m)^\\s+99%\\s+(\\S+)"),
                Long.parseLong(find(out, "(\\d+) requests in")),
                out.contains("Non-2xx") ? Long.parseLong(find(out, "Non-2xx or 3xx responses: (\\d+)")) : 0);
    }

    private static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no " + regex + " in wrk's output:\n" + text);
        }
        return m.group(1);
    }

    static long storedHeartbeats(Database db) {
        return db.jdbi()
                .withHandle(h -> h.createQuery("SELECT coalesce(sum(heartbeats), 0) FROM cluster_observations")
                        .mapTo(Long.class)
                        .one());
    }

    static long unknown(Database db) {
        return db.jdbi()
                .withHandle(h -> h.createQuery("SELECT count(*) FROM cluster_observations WHERE ready = 'Unknown'")
                        .mapTo(Long.class)
                        .one());
    }

    static long countObserved(Database db) {
        return db.jdbi()
                .withHandle(h -> h.createQuery("SELECT count(*) FROM cluster_observations")
                        .mapTo(Long.class)
                        .one());
    }

    /** p50 and max of (when it was marked Unknown − its last heartbeat), in seconds. */
    static double[] detection(Database db) {
        return db.jdbi()
                .withHandle(h -> h.createQuery("""
                SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY d), max(d) FROM (
                  SELECT EXTRACT(EPOCH FROM (ready_since - last_heartbeat_at)) AS d FROM cluster_observations
                  WHERE ready = 'Unknown') x""")
                        .map((rs, ctx) -> new double[] {rs.getDouble(1), rs.getDouble(2)})
                        .one());
    }
}
