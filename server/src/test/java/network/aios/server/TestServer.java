package network.aios.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import network.aios.api.Json;
import network.aios.server.engine.RetryPolicy;
import network.aios.store.Database;
import network.aios.store.TestPostgres;
import tools.jackson.databind.JsonNode;

/** A control plane on a fresh database of its own and a free port, with an HTTP client for it (TLS if it serves TLS). */
public final class TestServer implements AutoCloseable {
    public final Database db;
    public final ControlPlane cp;
    public final String adminToken;
    public final Path dataDir;
    private final HttpClient http;
    private final boolean tls;

    public TestServer() {
        this(null);
    }

    public TestServer(Path policyFile) {
        this(TestPostgres.freshDatabase(16), tempDir(), policyFile, null, RetryPolicy.defaults(), true);
    }

    private final boolean ownsDb;

    /** Write limits no test meets by accident. */
    public static final network.aios.server.auth.WriteLimits.Rate GENEROUS =
            new network.aios.server.auth.WriteLimits.Rate(10_000, 100_000);

    /**
     * A control plane on a given database and data folder (to restart one on the same state), reaching
     * member clusters through {@code connector} with {@code retry}. {@code adminToken} carries over.
     */
    public TestServer(
            Database db, Path dataDir, Path policyFile, String adminToken, RetryPolicy retry, boolean ownsDb) {
        this(db, dataDir, policyFile, adminToken, retry, ownsDb, java.time.Duration.ZERO);
    }

    /** As above, probing registered add-ons every {@code addonProbe} (zero: never). */
    public TestServer(
            Database db,
            Path dataDir,
            Path policyFile,
            String adminToken,
            RetryPolicy retry,
            boolean ownsDb,
            java.time.Duration addonProbe) {
        this(db, dataDir, policyFile, adminToken, retry, ownsDb, c -> c.withAddonProbeInterval(addonProbe));
    }

    /** A control plane on a given database and data folder (a restart), its configuration adjusted by {@code tweak}. */
    public static TestServer on(
            Database db,
            Path dataDir,
            String adminToken,
            boolean ownsDb,
            java.util.function.UnaryOperator<ServerConfig> tweak) {
        return new TestServer(db, dataDir, null, adminToken, RetryPolicy.defaults(), ownsDb, tweak);
    }

    /** A fresh control plane whose configuration {@code tweak} adjusts (e.g. a short heartbeat grace). */
    public static TestServer configured(java.util.function.UnaryOperator<ServerConfig> tweak) {
        return new TestServer(
                TestPostgres.freshDatabase(16), tempDir(), null, null, RetryPolicy.defaults(), true, tweak);
    }

    /** A control plane on a given database and data folder, with {@code retry}, its configuration adjusted. */
    public static TestServer retrying(
            Database db,
            Path dataDir,
            RetryPolicy retry,
            boolean ownsDb,
            java.util.function.UnaryOperator<ServerConfig> tweak) {
        return new TestServer(db, dataDir, null, null, retry, ownsDb, tweak);
    }

    private TestServer(
            Database db,
            Path dataDir,
            Path policyFile,
            String adminToken,
            RetryPolicy retry,
            boolean ownsDb,
            java.util.function.UnaryOperator<ServerConfig> tweak) {
        this.db = db;
        this.dataDir = dataDir;
        this.ownsDb = ownsDb;
        // the test clusters, executors and add-ons run on this machine: loopback is allowed unless a test says not
        ServerConfig config = tweak.apply(ServerConfig.defaults(dataDir)
                .withPort(0)
                .withPolicyFile(policyFile)
                .withEgress(java.util.List.of("127.0.0.0/8"), false)
                // tests drive many requests at once from one owner; the limits' own tests set theirs
                .withWriteLimits(GENEROUS, GENEROUS)
                .withRequestsInFlight(10_000));
        cp = ControlPlane.start(config, db, Clock.systemUTC(), null, retry);
        this.tls = config.tls();
        // over TLS the test client trusts exactly the certificate the server was given
        this.http = tls
                ? HttpClient.newBuilder()
                        .sslContext(network.aios.api.Pem.trusting(readString(config.tlsCert())))
                        .build()
                : HttpClient.newHttpClient();
        this.adminToken = adminToken != null ? adminToken : cp.bootstrapToken();
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("aios-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        return (tls ? "https" : "http") + "://127.0.0.1:" + cp.port();
    }

    private static String readString(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] example(String name) {
        try {
            return Files.readAllBytes(Path.of("..", "examples", name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A response with its body parsed as JSON (null when the body is empty). */
    public record Answer(int status, JsonNode body, java.net.http.HttpHeaders headers) {
        public String text(String pointer) {
            return body.at(pointer).asString();
        }
    }

    public Answer send(String method, String path, byte[] body, String token, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path))
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode parsed;
            try {
                parsed = r.body().length == 0 ? null : Json.MAPPER.readTree(r.body());
            } catch (tools.jackson.core.JacksonException notJson) { // e.g. rendered manifests (YAML)
                parsed = Json.MAPPER.getNodeFactory().stringNode(new String(r.body(), StandardCharsets.UTF_8));
            }
            return new Answer(r.statusCode(), parsed, r.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Answer post(String path, String body, String token) {
        return send("POST", path, body.getBytes(StandardCharsets.UTF_8), token);
    }

    /** Waits (up to 3 min) for an infra job to finish; the finished job, as the admin sees it. */
    public JsonNode awaitJob(String id) {
        KubeTestCluster.await(
                () -> get("/api/v1/jobs/" + id, adminToken).body().hasNonNull("finishedAt"),
                java.time.Duration.ofMinutes(3),
                "job " + id + " to finish");
        return get("/api/v1/jobs/" + id, adminToken).body();
    }

    /** As {@link #awaitJob(String)}, and it must have ended in {@code state}. */
    public JsonNode awaitJob(String id, String state) {
        JsonNode job = awaitJob(id);
        org.assertj.core.api.Assertions.assertThat(job.get("state").asString())
                .as(job.toString())
                .isEqualTo(state);
        return job;
    }

    public Answer get(String path, String token) {
        return send("GET", path, null, token);
    }

    public static String basic(String user, String token) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + token).getBytes(StandardCharsets.UTF_8));
    }

    /** Issues an owner token through the API. */
    public String ownerToken(String name) {
        Answer a = post("/api/v1/tokens", "{\"name\":\"" + name + "\",\"role\":\"owner\"}", adminToken);
        if (a.status() != 201) {
            throw new IllegalStateException("token not issued: " + a.body());
        }
        return a.text("/token");
    }

    /** The seed document with another id. */
    public static String seedWithId(String id) {
        String doc = new String(example("cluster.json"), StandardCharsets.UTF_8);
        return doc.replace("\"cluster-west-vision-001\"", "\"" + id + "\"");
    }

    @Override
    public void close() {
        cp.close();
        if (ownsDb) {
            db.close();
        }
    }
}
