package network.aios.server.pull;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import network.aios.server.TestServer;
import network.aios.server.TestServer.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Pull-mode joins on a real PostgreSQL, without a member cluster (the agent's side is played by the test): the
 * double opt-in, the bootstrap token's single use and expiry, refusal, the pull credential's narrow rights and its
 * rotation, the desired state's ETag and long poll, and reports checked field by field.
 */
class PullJoinIT {
    static TestServer server;
    static String owner;
    static String other;

    // a server per test: each presents dead credentials on purpose, and failed logins are throttled per address
    @BeforeEach
    void start() {
        server = new TestServer();
        owner = server.ownerToken("pull-a");
        other = server.ownerToken("pull-b");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static String register(String id) {
        Answer a = server.send(
                "POST", "/api/createCluster", TestServer.seedWithId(id).getBytes(StandardCharsets.UTF_8), owner);
        assertThat(a.status()).as(String.valueOf(a.body())).isEqualTo(201);
        return id;
    }

    private static Answer join(String id, String body) {
        return server.post("/api/v1/clusters/" + id + "/join", body, owner);
    }

    private static Answer exchange(String token) {
        return server.post(
                "/api/v1/pull/exchange", "{\"bootstrapToken\": \"" + token + "\", \"clusterUid\": \"uid-1\"}", null);
    }

    private static String state(String id) {
        return server.get("/api/v1/clusters/" + id + "/join", owner).text("/state");
    }

    @Test
    void joinExchangeOnceWaitForTheAdminThenServeTheDesiredState() {
        String id = register("pull-one");
        assertThat(state(id)).isEqualTo("none");
        assertThat(server.post("/api/v1/clusters/" + id + "/join", "{}", other).status())
                .as("another owner's cluster is invisible")
                .isEqualTo(404);
        Answer j = join(id, "{\"ttlSeconds\": 600}");
        assertThat(j.status()).as(String.valueOf(j.body())).isEqualTo(201);
        String token = j.text("/token");
        assertThat(j.text("/manifest")).contains("kind: \"Deployment\"", "--role=pull", token);
        // stored only as a hash: neither the view nor the database holds the token's secret
        String secret = token.substring(token.lastIndexOf('_') + 1);
        assertThat(server.get("/api/v1/clusters/" + id + "/join", owner).body().toString())
                .doesNotContain(secret);
        int rowsWithSecret = server.db
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT count(*) FROM cluster_joins WHERE "
                                + "encode(secret_hash, 'escape') LIKE :s OR report::text LIKE :s")
                        .bind("s", "%" + secret + "%")
                        .mapTo(Integer.class)
                        .one());
        assertThat(rowsWithSecret).isZero();

        Answer ex = exchange(token);
        assertThat(ex.status()).as(String.valueOf(ex.body())).isEqualTo(201);
        assertThat(ex.text("/state")).isEqualTo("requested");
        assertThat(ex.text("/clusterId")).isEqualTo(id);
        String credential = ex.text("/credential");
        assertThat(exchange(token).status()).as("single use").isEqualTo(401);
        assertThat(state(id)).isEqualTo("requested");

        // until the admin accepts, the agent is told to wait, and when to ask again
        Answer pending = server.get("/api/v1/pull/desired", credential);
        assertThat(pending.status()).isEqualTo(409);
        assertThat(pending.text("/error/code")).isEqualTo("join_pending");
        assertThat(pending.headers().firstValue("Retry-After")).isPresent();
        // the pull credential reaches nothing else
        assertThat(server.get("/api/v1/clusters/" + id, credential).status()).isEqualTo(403);
        assertThat(server.post("/api/v1/clusters/" + id + "/heartbeat", "{}", credential)
                        .status())
                .isEqualTo(403);
        // only the admin accepts
        assertThat(server.post("/api/v1/clusters/" + id + "/accept", "{}", owner)
                        .status())
                .isEqualTo(403);
        Answer accepted = server.post("/api/v1/clusters/" + id + "/accept", "{}", server.adminToken);
        assertThat(accepted.status()).as(String.valueOf(accepted.body())).isEqualTo(200);
        assertThat(accepted.text("/state")).isEqualTo("accepted");
        assertThat(accepted.text("/decidedBy")).isEqualTo("admin");
        assertThat(server.get("/api/v1/clusters/" + id, owner).text("/status")).isEqualTo("provisioning");

        Answer desired = server.get("/api/v1/pull/desired", credential);
        assertThat(desired.status()).as(String.valueOf(desired.body())).isEqualTo(200);
        String revision = desired.text("/revision");
        assertThat(desired.headers().firstValue("ETag")).contains("\"" + revision + "\"");
        assertThat(desired.text("/waves/0/name")).isEqualTo("services");
        assertThat(desired.body().at("/remove").asBoolean()).isFalse();
        assertThat(desired.body().at("/waves/0/objects").size()).isGreaterThan(10);
        // unchanged: 304 at once without a wait, and after the wait with one
        assertThat(server.send("GET", "/api/v1/pull/desired", null, credential, "If-None-Match", "\"" + revision + "\"")
                        .status())
                .isEqualTo(304);
        assertThat(server.send(
                                "GET",
                                "/api/v1/pull/desired?waitSeconds=1",
                                null,
                                credential,
                                "If-None-Match",
                                "\"" + revision + "\"")
                        .status())
                .isEqualTo(304);
        assertThat(server.get("/api/v1/pull/desired?waitSeconds=99", credential).status())
                .isEqualTo(422);
        // the same revision on every read: the services' secrets are made once and kept
        assertThat(server.get("/api/v1/pull/desired", credential).text("/revision"))
                .isEqualTo(revision);

        // a report is checked field by field
        Answer bad = server.post(
                "/api/v1/pull/report",
                "{\"revision\": 7, \"results\": [{\"kind\": \"Service\", \"outcome\": \"exploded\"}]}",
                credential);
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.body().toString())
                .contains("/revision", "/results/0/outcome", "/results/0/apiVersion", "/results/0/name");
        // everything applied, not yet available: still provisioning; then available: ready
        StringBuilder results = new StringBuilder();
        JsonNode objects = desired.body().at("/waves/0/objects");
        for (int i = 0; i < objects.size(); i++) {
            JsonNode o = objects.get(i);
            results.append(i == 0 ? "" : ",")
                    .append("{\"apiVersion\": \"")
                    .append(o.get("apiVersion").asString())
                    .append("\", \"kind\": \"")
                    .append(o.get("kind").asString())
                    .append("\", \"namespace\": \"aios-system\", \"name\": \"")
                    .append(o.at("/metadata/name").asString())
                    .append("\", \"uid\": \"uid-")
                    .append(i)
                    .append("\", \"resourceVersion\": \"1\", \"outcome\": \"created\"}");
        }
        String report = "{\"revision\": \"" + revision + "\", \"results\": [" + results + "], \"notReady\": %s}";
        Answer waiting =
                server.post("/api/v1/pull/report", report.formatted("[\"aios-controller (0/1)\"]"), credential);
        assertThat(waiting.status()).as(String.valueOf(waiting.body())).isEqualTo(200);
        assertThat(waiting.text("/state")).isEqualTo("provisioning");
        assertThat(server.post("/api/v1/pull/report", report.formatted("[]"), credential)
                        .text("/state"))
                .isEqualTo("ready");
        assertThat(server.get("/api/v1/clusters/" + id, owner).text("/status")).isIn("live", "degraded");
        JsonNode inventory =
                server.get("/api/v1/clusters/" + id + "/infra", owner).body().get("inventory");
        assertThat(inventory.size()).isEqualTo(objects.size());
        assertThat(inventory.toString()).contains("uid-0");
        // a joined cluster is not deleted from under its agent: its infrastructure is removed first
        Answer deleting = server.send("DELETE", "/api/v1/clusters/" + id, null, owner);
        assertThat(deleting.status()).as(String.valueOf(deleting.body())).isEqualTo(409);
        assertThat(server.send("DELETE", "/api/v1/clusters/" + id + "?cascade=true", null, owner)
                        .text("/error/code"))
                .isEqualTo("has_infrastructure");
        // push mode is refused on a pull cluster
        assertThat(server.post(
                                "/create-cluster-infra",
                                "{\"cluster_id\": \"" + id + "\", \"kube_config_data\": {}}",
                                owner)
                        .text("/error/code"))
                .isEqualTo("pull_mode");

        // rotation: the old credential works until the new one is first used (an answer lost on the way costs
        // nothing: rotating again with the old one revokes the lost one), then only the new one does
        String lost = server.post("/api/v1/pull/rotate", "{}", credential).text("/credential");
        Answer rotated = server.post("/api/v1/pull/rotate", "{}", credential);
        assertThat(rotated.status()).isEqualTo(201);
        String next = rotated.text("/credential");
        assertThat(server.get("/api/v1/pull/desired", lost).status())
                .as("the lost rotation's")
                .isEqualTo(401);
        assertThat(server.get("/api/v1/pull/desired", credential).status()).isEqualTo(200);
        assertThat(server.get("/api/v1/pull/desired", next).status()).isEqualTo(200);
        assertThat(server.get("/api/v1/pull/desired", credential).status()).isEqualTo(401);

        // removal: the agent is told to remove everything, then its receipt ends the join
        Answer removal = server.send("DELETE", "/api/v1/clusters/" + id + "/infra", null, owner);
        assertThat(removal.status()).as(String.valueOf(removal.body())).isEqualTo(202);
        JsonNode remove = server.get("/api/v1/pull/desired", next).body();
        assertThat(remove.get("remove").asBoolean()).isTrue();
        assertThat(remove.get("waves")).isEmpty();
        assertThat(server.post(
                                "/api/v1/pull/report",
                                "{\"revision\": \"" + remove.get("revision").asString()
                                        + "\", \"removed\": true, \"results\": []}",
                                next)
                        .text("/state"))
                .isEqualTo("none");
        assertThat(state(id)).isEqualTo("removed");
        assertThat(server.get("/api/v1/clusters/" + id + "/join", owner)
                        .body()
                        .at("/receipt/clean")
                        .asBoolean())
                .isTrue();
        assertThat(server.get("/api/v1/clusters/" + id, owner).text("/status")).isEqualTo("registered");
        assertThat(server.get("/api/v1/pull/desired", next).status()).isEqualTo(401);
    }

    @Test
    void refusedAndExpiredJoinsAreVisibleAndUseless() {
        String id = register("pull-refused");
        String token = join(id, "{}").text("/token");
        String credential = exchange(token).text("/credential");
        Answer refused = server.post(
                "/api/v1/clusters/" + id + "/refuse", "{\"reason\": \"unknown organisation\"}", server.adminToken);
        assertThat(refused.status()).isEqualTo(200);
        assertThat(state(id)).isEqualTo("refused");
        Answer told = server.get("/api/v1/pull/desired", credential);
        assertThat(told.status()).isEqualTo(403);
        assertThat(told.text("/error/message")).contains("unknown organisation");
        assertThat(server.get("/api/v1/audit?action=cluster.join.refuse", server.adminToken)
                        .body()
                        .toString())
                .contains(id);
        // a new join for the cluster ends the refused agent's credential
        String again = join(id, "{}").text("/token");
        assertThat(server.get("/api/v1/pull/desired", credential).status()).isEqualTo(401);

        // expiry: a token past its time is refused, and the join says so
        server.db
                .jdbi()
                .useHandle(h -> h.createUpdate(
                                "UPDATE cluster_joins SET expires_at = now() - interval '1 second' WHERE cluster_id = :c"
                                        + " AND state = 'issued'")
                        .bind("c", id)
                        .execute());
        assertThat(exchange(again).status()).isEqualTo(401);
        assertThat(state(id)).isEqualTo("expired");
        // push mode is refused while a join is under way
        String pending = join(id, "{}").text("/token");
        assertThat(server.post(
                                "/create-cluster-infra",
                                "{\"cluster_id\": \"" + id + "\", \"kube_config_data\": {}}",
                                owner)
                        .text("/error/code"))
                .isEqualTo("pull_mode");
        // deleting a cluster whose join is not yet accepted ends the join and its agent's credential
        String asked = exchange(pending).text("/credential");
        assertThat(server.get("/api/v1/pull/desired", asked).status()).isEqualTo(409);
        assertThat(server.send("DELETE", "/api/v1/clusters/" + id, null, owner).status())
                .isEqualTo(200);
        assertThat(server.get("/api/v1/pull/desired", asked).status()).isEqualTo(401);
        register(id);
        // a revoked join's token is dead too
        String third = join(id, "{}").text("/token");
        assertThat(server.send("DELETE", "/api/v1/clusters/" + id + "/join", null, owner)
                        .status())
                .isEqualTo(204);
        assertThat(state(id)).isEqualTo("revoked");
        assertThat(exchange(third).status()).isEqualTo(401);
        assertThat(exchange("aiosjoin_nope").status()).isEqualTo(401);
    }

    @Test
    void aCredentialPastItsLifetimeIsRefusedAndForceForgetsTheCluster() {
        String id = register("pull-old");
        Answer ex = exchange(join(id, "{}").text("/token"));
        assertThat(server.post("/api/v1/clusters/" + id + "/accept", "{}", server.adminToken)
                        .status())
                .isEqualTo(200);
        String credential = ex.text("/credential");
        // issued 31 days ago (never used since, so no replica remembers it): past its lifetime, refused
        server.db
                .jdbi()
                .useHandle(h -> h.createUpdate("UPDATE api_tokens SET created_at = now() - interval '31 days'"
                                + " WHERE role = 'pull' AND cluster_id = :c")
                        .bind("c", id)
                        .execute());
        assertThat(server.get("/api/v1/pull/desired", credential).status()).isEqualTo(401);
        assertThat(server.post("/api/v1/pull/rotate", "{}", credential).status())
                .isEqualTo(401);
        // its agent can no longer answer: the owner forgets the infrastructure, and the receipt says what may be left
        Answer forced = server.send("DELETE", "/api/v1/clusters/" + id + "/infra?force=true", null, owner);
        assertThat(forced.status()).as(String.valueOf(forced.body())).isEqualTo(200);
        assertThat(forced.body().at("/receipt/forced").asBoolean()).isTrue();
        assertThat(forced.body().at("/receipt/clean").asBoolean()).isTrue(); // it had reported nothing applied
        assertThat(state(id)).isEqualTo("removed");
        assertThat(server.get("/api/v1/clusters/" + id, owner).text("/status")).isEqualTo("registered");
    }

    @Test
    void badJoinRequestsNameTheField() {
        String id = register("pull-bad");
        Answer a = join(id, "{\"ttlSeconds\": \"an hour\", \"acceptByPolicy\": 1}");
        assertThat(a.status()).isEqualTo(422);
        assertThat(a.body().toString()).contains("/ttlSeconds", "/acceptByPolicy");
        assertThat(join(id, "{\"ttlSeconds\": 999999}").body().toString()).contains("/ttlSeconds");
        Answer huge = join(id, "{\"ttlSeconds\": 99999999999999999999999}");
        assertThat(huge.status()).as("not a 500").isEqualTo(422);
        assertThat(server.post("/api/v1/pull/exchange", "{\"bootstrapToken\": \"" + "x".repeat(3000) + "\"}", null)
                        .status())
                .as("an exchange body past 2 KB is not parsed")
                .isEqualTo(413);
        assertThat(Arrays.asList(join(id, "{}").status(), join(id, "{}").status()))
                .as("a second join replaces the first")
                .containsExactly(201, 201);
    }

    @Test
    void failedExchangesAreThrottledPerAddress() {
        try (TestServer fresh = new TestServer()) {
            for (int i = 0; i < network.aios.server.auth.AuthThrottle.LIMIT; i++) {
                assertThat(fresh.post(
                                        "/api/v1/pull/exchange",
                                        "{\"bootstrapToken\": \"aiosjoin_0123456789abcdef_" + "x".repeat(43) + "\"}",
                                        null)
                                .status())
                        .isEqualTo(401);
            }
            Answer slowed = fresh.post("/api/v1/pull/exchange", "{\"bootstrapToken\": \"x\"}", null);
            assertThat(slowed.status()).isEqualTo(429);
            assertThat(slowed.headers().firstValue("Retry-After")).isPresent();
        }
    }

    @Test
    void anAcceptClusterPolicyAdmitsWhenTheOwnerAskedForIt() {
        String id = register("pull-policy");
        assertThat(server.send(
                                "PUT",
                                "/api/v1/policies/accept_cluster",
                                "{\"rules\": [{\"expression\": \"cluster_data.gpus.count >= 1\", \"message\": \"needs GPUs\"}]}"
                                        .getBytes(StandardCharsets.UTF_8),
                                server.adminToken)
                        .status())
                .isIn(200, 201);
        Answer ex = exchange(join(id, "{\"acceptByPolicy\": true}").text("/token"));
        assertThat(ex.text("/state")).isEqualTo("accepted");
        assertThat(server.get("/api/v1/clusters/" + id + "/join", owner).text("/decidedBy"))
                .isEqualTo("policy:accept_cluster");
        // without the owner's ask, the same policy does not decide: the admin does
        String id2 = register("pull-policy-ask");
        assertThat(exchange(join(id2, "{}").text("/token")).text("/state")).isEqualTo("requested");
    }
}
