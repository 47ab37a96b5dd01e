package network.aios.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import network.aios.api.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/**
 * Pull mode's owner and admin commands (`aios cluster join|accept|refuse|join-status|join-revoke`) against a stub of
 * the control plane: what they send, and what they print where.
 */
class JoinCommandsTest {
    static final String MANIFEST = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: aios-system\n---\n"
            + "apiVersion: v1\nkind: Secret\nmetadata:\n  name: aios-pull-bootstrap\n  namespace: aios-system\n"
            + "stringData:\n  token: aiosjoin_0123456789abcdef_SECRET\n";

    static final String JOIN_ANSWER = "{\"clusterId\": \"c1\", \"joinId\": \"j1\", "
            + "\"token\": \"aiosjoin_0123456789abcdef_SECRET\", \"expiresAt\": \"2026-05-01T13:00:00Z\", "
            + "\"state\": \"issued\", \"manifest\": " + Json.MAPPER.writeValueAsString(MANIFEST) + "}";

    static final String VIEW = "{\"clusterId\": \"c1\", \"joinId\": \"j1\", \"state\": \"requested\", "
            + "\"expiresAt\": \"2026-05-01T13:00:00Z\", \"createdBy\": \"alice\", \"createdAt\": \"2026-05-01T12:00:00Z\", "
            + "\"requestedAt\": \"2026-05-01T12:05:00Z\", \"clusterUid\": \"uid-42\", \"decidedBy\": null, "
            + "\"decidedAt\": null, \"reason\": null, \"acceptByPolicy\": false}";

    /** A request the stub received. */
    record Seen(String method, String path, String auth, String body) {}

    /** What a command exited with and printed. */
    record Run(int exit, String out, String err) {}

    /** An answer the stub gives. */
    record Answer(int status, String body) {}

    HttpServer stub;
    final List<Seen> seen = new CopyOnWriteArrayList<>();
    final Map<String, Answer> answers = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws IOException {
        stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        stub.createContext("/", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String path = ex.getRequestURI().getRawPath();
            seen.add(
                    new Seen(ex.getRequestMethod(), path, ex.getRequestHeaders().getFirst("Authorization"), body));
            Answer a = answers.getOrDefault(
                    ex.getRequestMethod() + " " + path,
                    new Answer(
                            404,
                            "{\"error\": {\"status\": 404, \"code\": \"not_found\", \"message\": \"no such route\"}}"));
            byte[] b = a.body().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(a.status(), b.length == 0 ? -1 : b.length);
            if (b.length > 0) {
                ex.getResponseBody().write(b);
            }
            ex.close();
        });
        stub.start();
    }

    @AfterEach
    void stop() {
        stub.stop(0);
    }

    void answer(String request, int status, String body) {
        answers.put(request, new Answer(status, body));
    }

    /** {@code aios ARGS --server <the stub> --token t0ken}. */
    Run aios(String... args) {
        CommandLine cl = Aios.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        String[] full = new String[args.length + 4];
        System.arraycopy(args, 0, full, 0, args.length);
        full[args.length] = "--server";
        full[args.length + 1] = "http://127.0.0.1:" + stub.getAddress().getPort();
        full[args.length + 2] = "--token";
        full[args.length + 3] = "t0ken";
        int exit = cl.execute(full);
        return new Run(exit, out.toString(), err.toString());
    }

    Seen only() {
        assertThat(seen).hasSize(1);
        return seen.get(0);
    }

    @Test
    void joinPrintsTheManifestAloneOnStdoutAndTheNoteOnStderr() {
        answer("POST /api/v1/clusters/c1/join", 201, JOIN_ANSWER);
        Run r = aios("cluster", "join", "c1", "--ttl", "2h30m", "--accept-by-policy");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(MANIFEST); // `| kubectl apply -f -` gets nothing else
        assertThat(r.err())
                .contains("2026-05-01T13:00:00Z", "(in 2h30m)", "single use")
                .contains("aios cluster accept c1", "aios cluster join-status c1", "--accept-by-policy")
                .doesNotContain("apiVersion", "aiosjoin_");
        Seen s = only();
        assertThat(s.method()).isEqualTo("POST");
        assertThat(s.path()).isEqualTo("/api/v1/clusters/c1/join");
        assertThat(s.auth()).isEqualTo("Bearer t0ken");
        assertThat(Json.parse(s.body()))
                .isEqualTo(Json.object().put("ttlSeconds", 9000).put("acceptByPolicy", true));
    }

    @Test
    void joinAsksForAnHourAndTheAdminsDecisionByDefault() {
        answer("POST /api/v1/clusters/gpu%20one/join", 201, JOIN_ANSWER);
        Run r = aios("cluster", "join", "gpu one");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("(in 1h)", "aios cluster refuse gpu one --reason TEXT");
        assertThat(Json.parse(only().body()))
                .isEqualTo(Json.object().put("ttlSeconds", 3600).put("acceptByPolicy", false));
    }

    @Test
    void joinAsJsonIsTheWholeAnswerPrettyPrintedOnStdout() {
        answer("POST /api/v1/clusters/c1/join", 201, JOIN_ANSWER);
        Run r = aios("cluster", "join", "c1", "-o", "json");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(Json.parse(r.out())).isEqualTo(Json.parse(JOIN_ANSWER));
        assertThat(r.out()).isEqualTo(Json.pretty(Json.parse(JOIN_ANSWER)) + System.lineSeparator());
        assertThat(r.err()).isEmpty();
        assertThat(Json.parse(r.out()).path("token").asString()).startsWith("aiosjoin_");
    }

    @Test
    void ttlIsADurationOfAtMostADay() {
        assertThat(JoinCommands.ttl("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(JoinCommands.ttl("30m")).isEqualTo(Duration.ofMinutes(30));
        assertThat(JoinCommands.ttl("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(JoinCommands.ttl("2h30m")).isEqualTo(Duration.ofMinutes(150));
        assertThat(JoinCommands.ttl("1h0m30s")).isEqualTo(Duration.ofSeconds(3630));
        assertThat(JoinCommands.ttl("24h")).isEqualTo(Duration.ofHours(24));
        assertThat(JoinCommands.ttl("1440m")).isEqualTo(Duration.ofHours(24));
        assertThat(JoinCommands.ttl("600")).isEqualTo(Duration.ofMinutes(10));
        for (String junk :
                List.of("", " ", "ten", "1d", "1.5h", "-5m", "30m1h", "h", "1hm", "1 h", "1h 30m", "1H", "9999999s")) {
            assertThatThrownBy(() -> JoinCommands.ttl(junk))
                    .as(junk)
                    .isInstanceOf(CliException.class)
                    .hasMessageContaining("not a duration")
                    .extracting(e -> ((CliException) e).exitCode())
                    .isEqualTo(2);
        }
        for (String tooLong : List.of("25h", "24h1s", "1441m", "86401", "999999h")) {
            assertThatThrownBy(() -> JoinCommands.ttl(tooLong))
                    .as(tooLong)
                    .isInstanceOf(CliException.class)
                    .hasMessageContaining("at most 24h");
        }
        assertThatThrownBy(() -> JoinCommands.ttl("0s")).hasMessageContaining("some time");
        assertThat(JoinCommands.human(Duration.ofSeconds(90))).isEqualTo("1m30s");
        assertThat(JoinCommands.human(Duration.ofMinutes(150))).isEqualTo("2h30m");
    }

    @Test
    void aBadTtlOrOutputIsRefusedBeforeAnyTokenIsIssued() {
        Run r = aios("cluster", "join", "c1", "--ttl", "1d");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("error: --ttl 1d: not a duration", "90s, 30m, 1h or 2h30m");
        assertThat(r.out()).isEmpty();
        Run tooLong = aios("cluster", "join", "c1", "--ttl", "48h");
        assertThat(tooLong.exit()).isEqualTo(2);
        assertThat(tooLong.err()).contains("at most 24h");
        Run format = aios("cluster", "join", "c1", "-o", "table");
        assertThat(format.exit()).isEqualTo(2);
        assertThat(format.err()).contains("unknown output format 'table'");
        assertThat(seen).as("nothing reached the server").isEmpty();
    }

    @Test
    void theServersErrorIsShownAsForEveryOtherCommand() {
        answer(
                "POST /api/v1/clusters/c1/join",
                409,
                "{\"error\": {\"status\": 409, \"code\": \"infra_exists\", \"message\": \"cluster c1 already has "
                        + "infrastructure\", \"next\": {\"method\": \"DELETE\", \"path\": \"/api/v1/clusters/c1/infra\"}}}");
        Run r = aios("cluster", "join", "c1");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err())
                .isEqualTo("error 409 infra_exists: cluster c1 already has infrastructure\n"
                        + "  next: aios cluster infra remove c1 --wait" + System.lineSeparator());
        answer(
                "POST /api/v1/clusters/c1/accept",
                403,
                "{\"error\": {\"status\": 403, \"code\": \"forbidden\", \"message\": \"admin only\"}}");
        Run accept = aios("cluster", "accept", "c1");
        assertThat(accept.exit()).isEqualTo(1);
        assertThat(accept.err()).startsWith("error 403 forbidden: admin only");
    }

    @Test
    void acceptAndRefuseDecideTheJoin() {
        answer("POST /api/v1/clusters/c1/accept", 200, VIEW.replace("\"requested\"", "\"accepted\""));
        Run accept = aios("cluster", "accept", "c1");
        assertThat(accept.exit()).as(accept.err()).isZero();
        assertThat(accept.out()).contains("cluster c1: join accepted", "aios cluster join-status c1");
        assertThat(seen.get(0).method()).isEqualTo("POST");
        assertThat(seen.get(0).path()).isEqualTo("/api/v1/clusters/c1/accept");
        assertThat(Json.parse(seen.get(0).body())).isEqualTo(Json.object());

        String refused = VIEW.replace("\"requested\"", "\"refused\"")
                .replace("\"reason\": null", "\"reason\": \"unknown site\"");
        answer("POST /api/v1/clusters/c1/refuse", 200, refused);
        Run refuse = aios("cluster", "refuse", "c1", "--reason", "unknown site");
        assertThat(refuse.exit()).as(refuse.err()).isZero();
        assertThat(refuse.out()).contains("cluster c1: join refused (unknown site)", "pull credential is revoked");
        assertThat(seen.get(1).path()).isEqualTo("/api/v1/clusters/c1/refuse");
        assertThat(Json.parse(seen.get(1).body())).isEqualTo(Json.object().put("reason", "unknown site"));

        Run bare = aios("cluster", "refuse", "c1", "-o", "json");
        assertThat(bare.exit()).as(bare.err()).isZero();
        assertThat(Json.parse(seen.get(2).body())).isEqualTo(Json.object());
        assertThat(Json.parse(bare.out())).isEqualTo(Json.parse(refused));
    }

    @Test
    void joinStatusShowsTheStateAndTimesOrAllOfItAsJson() {
        answer("GET /api/v1/clusters/c1/join", 200, VIEW);
        Run r = aios("cluster", "join-status", "c1");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("state:      requested")
                .contains("expires:    2026-05-01T13:00:00Z")
                .contains("created:    2026-05-01T12:00:00Z by alice")
                .contains("requested:  2026-05-01T12:05:00Z (cluster uid uid-42)")
                .contains("decided:    -")
                .contains("reason:     -")
                .contains("next:       aios cluster accept c1");
        Seen s = only();
        assertThat(s.method()).isEqualTo("GET");
        assertThat(s.path()).isEqualTo("/api/v1/clusters/c1/join");

        Run json = aios("cluster", "join-status", "c1", "-o", "json");
        assertThat(json.exit()).as(json.err()).isZero();
        JsonNode parsed = Json.parse(json.out());
        assertThat(parsed).isEqualTo(Json.parse(VIEW));
        assertThat(json.out()).isEqualTo(Json.pretty(parsed) + System.lineSeparator());

        answer(
                "GET /api/v1/clusters/c1/join",
                200,
                VIEW.replace("\"requested\"", "\"refused\"")
                        .replace("\"decidedBy\": null", "\"decidedBy\": \"admin\"")
                        .replace("\"decidedAt\": null", "\"decidedAt\": \"2026-05-01T12:10:00Z\"")
                        .replace("\"reason\": null", "\"reason\": \"unknown site\""));
        Run decided = aios("cluster", "join-status", "c1");
        assertThat(decided.out())
                .contains("state:      refused")
                .contains("decided:    2026-05-01T12:10:00Z by admin")
                .contains("reason:     unknown site")
                .doesNotContain("next:");
    }

    @Test
    void joinRevokeDeletesTheJoin() {
        answer("DELETE /api/v1/clusters/c1/join", 204, "");
        Run r = aios("cluster", "join-revoke", "c1");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("cluster c1: join revoked");
        Seen s = only();
        assertThat(s.method()).isEqualTo("DELETE");
        assertThat(s.path()).isEqualTo("/api/v1/clusters/c1/join");
        assertThat(s.auth()).isEqualTo("Bearer t0ken");
    }

    @Test
    void theCommandsAreListedUnderCluster() {
        StringWriter out = new StringWriter();
        CommandLine cl = Aios.commandLine();
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute("cluster", "--help")).isZero();
        assertThat(out.toString()).contains("join ", "accept ", "refuse ", "join-status ", "join-revoke ");
    }
}
