package network.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import network.aios.api.Json;
import network.aios.server.TestServer.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** The resource API and the AIOS gateway paths: get, list, update with If-Match, delete, owner scoping. */
class ClusterResourceIT {
    static TestServer server;
    static String alice;
    static String bob;

    @BeforeAll
    static void start() {
        server = new TestServer();
        alice = server.ownerToken("alice");
        bob = server.ownerToken("bob");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void ownersSeeAndChangeOnlyTheirOwnClusters() {
        assertThat(server.post("/api/createCluster", TestServer.seedWithId("alice-1"), alice)
                        .status())
                .isEqualTo(201);
        assertThat(server.post("/api/createCluster", TestServer.seedWithId("bob-1"), bob)
                        .status())
                .isEqualTo(201);
        assertThat(server.get("/api/v1/clusters/alice-1", bob).status()).isEqualTo(404);
        assertThat(server.send("DELETE", "/api/v1/clusters/alice-1", null, bob).status())
                .isEqualTo(404);
        assertThat(ids(server.get("/api/v1/clusters?limit=500", bob)))
                .contains("bob-1")
                .doesNotContain("alice-1");
        assertThat(ids(server.get("/api/v1/clusters?limit=500", server.adminToken)))
                .contains("bob-1", "alice-1");
        assertThat(server.get("/api/v1/tokens", alice).status()).isEqualTo(403);
        assertThat(server.get("/api/v1/whoami", alice).text("/role")).isEqualTo("owner");
    }

    @Test
    void anIdRegisteredAgainDoesNotShowTheEarlierRegistrationsJobs() {
        assertThat(server.post("/api/createCluster", TestServer.seedWithId("reused"), alice)
                        .status())
                .isEqualTo(201);
        // alice's cluster had infrastructure once: a finished removal with its receipt
        java.time.Instant then = java.time.Instant.now();
        network.aios.store.JobStore jobs = new network.aios.store.JobStore(server.db);
        network.aios.store.InfraJob removal = network.aios.store.InfraJob.queued(
                        "job-reused-1",
                        network.aios.api.TargetKey.cluster("reused"),
                        network.aios.store.JobKind.REMOVE,
                        "remove queued",
                        null,
                        "alice",
                        then)
                // due only in an hour: the running control plane's own runner leaves it to this test's claim
                .runAt(then.plusSeconds(3600));
        jobs.insert(removal, "alice").orElseThrow();
        jobs.claim("test", then.plusSeconds(3600), java.time.Duration.ofSeconds(15))
                .orElseThrow();
        jobs.save(
                removal.next(
                                network.aios.store.JobState.REMOVED,
                                network.aios.store.JobReason.REMOVED,
                                "removed from alice-secret-host")
                        .finishedAt(then),
                "test",
                then.plusSeconds(3600));
        assertThat(server.get("/api/v1/clusters/reused/infra", alice).text("/job/id"))
                .isEqualTo("job-reused-1");
        assertThat(server.send("DELETE", "/api/v1/clusters/reused", null, alice).status())
                .isEqualTo(200);

        // bob registers the same id: none of alice's history is his to see
        assertThat(server.post("/api/createCluster", TestServer.seedWithId("reused"), bob)
                        .status())
                .isEqualTo(201);
        Answer status = server.get("/api/v1/clusters/reused/infra", bob);
        assertThat(status.status()).isEqualTo(200);
        assertThat(status.body().get("job").isNull())
                .as(status.body().toString())
                .isTrue();
        assertThat(server.get("/api/v1/jobs/job-reused-1", bob).status()).isEqualTo(404);
        assertThat(server.get("/api/v1/jobs/job-reused-1", alice).status())
                .as("whoever requested a job still sees it")
                .isEqualTo(200);
    }

    @Test
    void replaceNeedsIfMatchAndBumpsTheVersion() {
        server.post("/api/createCluster", TestServer.seedWithId("upd"), alice);
        Answer current = server.get("/api/v1/clusters/upd", alice);
        ObjectNode doc = (ObjectNode) current.body().deepCopy();
        doc.put("regionId", "us-east-1");
        byte[] body = Json.bytes(doc);
        assertThat(server.send("PUT", "/api/v1/clusters/upd", body, alice).status())
                .isEqualTo(428);
        assertThat(server.send("PUT", "/api/v1/clusters/upd", body, alice, "If-Match", "\"9\"")
                        .status())
                .isEqualTo(412);
        Answer ok = server.send("PUT", "/api/v1/clusters/upd", body, alice, "If-Match", "\"1\"");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.text("/regionId")).isEqualTo("us-east-1");
        assertThat(ok.body().at("/system/version").asLong()).isEqualTo(2);
        assertThat(ok.text("/status")).isEqualTo("registered");
        assertThat(server.send("PUT", "/api/v1/clusters/upd", body, alice, "If-Match", "\"1\"")
                        .status())
                .isEqualTo(412);
        doc.put("id", "other");
        Answer renamed = server.send("PUT", "/api/v1/clusters/upd", Json.bytes(doc), alice, "If-Match", "\"2\"");
        assertThat(renamed.status()).isEqualTo(422);
        assertThat(renamed.body().at("/error/details/0/path").asString()).isEqualTo("/id");
    }

    @Test
    void serverOwnedFieldsSurvivePutAndPatchAndJobsDoNotBumpTheVersion() {
        server.post("/api/createCluster", TestServer.seedWithId("owned"), alice);
        String urlMap = "{\"controllerService\": \"https://h:32300\"}";
        network.aios.store.ClusterStore store = new network.aios.store.ClusterStore(server.db);
        // infrastructure jobs record their progress: the owner's version does not move
        store.setInfra("owned", network.aios.store.InfraPhase.PROVISIONING, null, "test", java.time.Instant.now());
        store.setInfra("owned", network.aios.store.InfraPhase.READY, urlMap, "test", java.time.Instant.now());
        Answer got = server.get("/api/v1/clusters/owned", alice);
        assertThat(got.body().at("/system/version").asLong()).isEqualTo(1);
        assertThat(got.text("/config/urlMap/controllerService")).isEqualTo("https://h:32300");
        // PATCH the tags: 200, urlMap kept
        Answer patched =
                server.send("PATCH", "/api/v1/clusters/owned", bytes("{\"tags\": [\"gpu\", \"west\"]}"), alice);
        assertThat(patched.status()).as(patched.body().toString()).isEqualTo(200);
        assertThat(patched.text("/config/urlMap/controllerService")).isEqualTo("https://h:32300");
        assertThat(patched.body().at("/system/version").asLong()).isEqualTo(2);
        // GET -> edit -> PUT, urlMap echoed back unchanged: 200
        ObjectNode doc =
                (ObjectNode) server.get("/api/v1/clusters/owned", alice).body().deepCopy();
        doc.put("regionId", "us-east-1");
        Answer put = server.send("PUT", "/api/v1/clusters/owned", Json.bytes(doc), alice, "If-Match", "\"2\"");
        assertThat(put.status()).as(put.body().toString()).isEqualTo(200);
        // left out: kept
        ((ObjectNode) doc.get("config")).remove("urlMap");
        Answer without = server.send("PUT", "/api/v1/clusters/owned", Json.bytes(doc), alice, "If-Match", "\"3\"");
        assertThat(without.status()).isEqualTo(200);
        assertThat(without.text("/config/urlMap/controllerService")).isEqualTo("https://h:32300");
        // changed: 422 at the field, nothing written
        ((ObjectNode) doc.get("config")).putObject("urlMap").put("controllerService", "http://evil:1");
        Answer changed = server.send("PUT", "/api/v1/clusters/owned", Json.bytes(doc), alice, "If-Match", "\"4\"");
        assertThat(changed.status()).isEqualTo(422);
        assertThat(changed.text("/error/details/0/path")).isEqualTo("/config/urlMap");
        assertThat(server.get("/api/v1/clusters/owned", alice).text("/config/urlMap/controllerService"))
                .isEqualTo("https://h:32300");
    }

    @Test
    void invalidUpdatesAreRejectedWhole() {
        server.post("/api/createCluster", TestServer.seedWithId("whole"), alice);
        Answer bad = server.send("PATCH", "/api/v1/clusters/whole", bytes("{\"memory\": 1, \"tags\": [\"x\"]}"), alice);
        assertThat(bad.status()).isEqualTo(422);
        Answer after = server.get("/api/v1/clusters/whole", alice);
        assertThat(after.body().get("memory").asLong()).isEqualTo(196608);
        assertThat(after.body().at("/tags/0").asString()).isEqualTo("gpu");
        assertThat(after.body().at("/system/version").asLong()).isEqualTo(1);
    }

    @Test
    void listFiltersAndPagesOverHttp() {
        for (int i = 0; i < 5; i++) {
            String doc = TestServer.seedWithId("lf-" + i).replace("us-west-2", i < 3 ? "lf-region" : "other-region");
            assertThat(server.post("/api/createCluster", doc, alice).status()).isEqualTo(201);
        }
        Answer page1 = server.get(
                "/api/v1/clusters?region=lf-region&limit=2&tag=gpu&tag=ml&gpuModel=NVIDIA%20A100"
                        + "&minGpus=3&minVcpus=48&minMemory=196608",
                alice);
        assertThat(ids(page1)).containsExactly("lf-0", "lf-1");
        assertThat(page1.text("/continue")).isEqualTo("lf-1");
        Answer page2 = server.get("/api/v1/clusters?region=lf-region&limit=2&continue=lf-1", alice);
        assertThat(ids(page2)).containsExactly("lf-2");
        assertThat(page2.body().get("continue").isNull()).isTrue();
        assertThat(ids(server.get("/api/v1/clusters?region=lf-region&minGpus=4", alice)))
                .isEmpty();
        Answer bad = server.get("/api/v1/clusters?minGpus=lots&limit=0&status=sleepy", alice);
        assertThat(bad.status()).isEqualTo(400);
        List<String> paths = new ArrayList<>();
        bad.body().at("/error/details").forEach(d -> paths.add(d.get("path").asString()));
        assertThat(paths).containsExactlyInAnyOrder("/query/minGpus", "/query/limit", "/query/status");
    }

    @Test
    void gatewayPathsReadUpdateQueryAndDelete() {
        server.post("/api/createCluster", TestServer.seedWithId("gw-1"), alice);
        assertThat(server.get("/clusters/read/gw-1", alice).text("/id")).isEqualTo("gw-1");
        Answer upd = server.send("PUT", "/clusters/update/gw-1", bytes("{\"tags\": [\"gpu\", \"gw\"]}"), alice);
        assertThat(upd.status()).isEqualTo(200);
        assertThat(upd.body().at("/tags/1").asString()).isEqualTo("gw");
        Answer q = server.post("/clusters/query", "{\"query\": {\"tags\": [\"gw\"]}}", alice);
        assertThat(ids(q)).containsExactly("gw-1");
        assertThat(server.post("/clusters/query", "{\"query\": {\"colour\": \"red\"}}", alice)
                        .status())
                .isEqualTo(400);
        assertThat(server.send("DELETE", "/clusters/delete/gw-1", null, alice).status())
                .isEqualTo(200);
        assertThat(server.get("/clusters/read/gw-1", alice).status()).isEqualTo(404);
        assertThat(server.send("DELETE", "/clusters/delete/gw-1", null, alice).status())
                .isEqualTo(404);
    }

    @Test
    void revokedTokensStopWorking() {
        String temp = server.ownerToken("temp");
        assertThat(server.get("/api/v1/whoami", temp).status()).isEqualTo(200);
        assertThat(server.send("DELETE", "/api/v1/tokens/temp", null, server.adminToken)
                        .status())
                .isEqualTo(200);
        assertThat(server.get("/api/v1/whoami", temp).status()).isEqualTo(401);
        assertThat(server.post("/api/v1/tokens", "{\"name\":\"alice\"}", server.adminToken)
                        .status())
                .isEqualTo(409);
        assertThat(server.post("/api/v1/tokens", "{\"name\":\"Bad Name\"}", server.adminToken)
                        .status())
                .isEqualTo(422);
    }

    private static List<String> ids(Answer a) {
        List<String> out = new ArrayList<>();
        a.body().at("/items").forEach(i -> out.add(i.get("id").asString()));
        return out;
    }
}
