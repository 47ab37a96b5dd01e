package network.aios.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import network.aios.server.TestServer;
import network.aios.server.TestServer.Answer;
import network.aios.server.auth.WriteLimits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * What one owner may take of the control plane is bounded: the admin's quotas (clusters, add-ons, command
 * grants a minute) answered with the quota's name, counted exactly under concurrent requests; every write of
 * an owner paced (429 with Retry-After); and a page of the audit log cut by bytes, whatever its rows hold.
 */
class QuotasIT {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer();
        server.send(
                "PUT",
                "/api/v1/policies/add_cluster",
                "{\"rules\":[]}".getBytes(StandardCharsets.UTF_8),
                server.adminToken);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Answer put(String path, String body) {
        return server.send("PUT", path, body.getBytes(StandardCharsets.UTF_8), server.adminToken);
    }

    @Test
    void anOwnerPastItsClusterQuotaIsRefusedByNameAndNothingIsStored() {
        String carol = server.ownerToken("q-carol");
        assertThat(put("/api/v1/quotas/q-carol", "{\"clusters\": 2}").status()).isEqualTo(200);
        assertThat(server.post("/api/createCluster", TestServer.seedWithId("q-c1"), carol)
                        .status())
                .isEqualTo(201);
        assertThat(server.post("/api/createCluster", TestServer.seedWithId("q-c2"), carol)
                        .status())
                .isEqualTo(201);

        Answer refused = server.post("/api/createCluster", TestServer.seedWithId("q-c3"), carol);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.text("/error/code")).isEqualTo("quota_exceeded");
        assertThat(refused.text("/error/details/0/path")).isEqualTo("/quota/clusters");
        assertThat(refused.text("/error/message")).contains("q-carol", "clusters", "2");
        assertThat(server.get("/api/v1/clusters/q-c3", server.adminToken).status())
                .isEqualTo(404);

        // the owner sees where it stands; another owner does not
        JsonNode own = server.get("/api/v1/quotas/q-carol", carol).body();
        assertThat(own.at("/effective/clusters").asInt()).isEqualTo(2);
        assertThat(own.at("/usage/clusters").asInt()).isEqualTo(2);
        assertThat(own.at("/effective/addons").asInt()).as("the default's").isEqualTo(50);
        assertThat(server.get("/api/v1/quotas/q-carol", server.ownerToken("q-dave"))
                        .status())
                .isEqualTo(403);

        // freeing one lets one more in; the admin is not limited by anyone's quota
        assertThat(server.send("DELETE", "/api/v1/clusters/q-c1", null, carol).status())
                .isEqualTo(200);
        assertThat(server.post("/api/createCluster", TestServer.seedWithId("q-c3"), carol)
                        .status())
                .isEqualTo(201);
        // dropping the override brings the default back
        assertThat(server.send("DELETE", "/api/v1/quotas/q-carol", null, server.adminToken)
                        .status())
                .isEqualTo(204);
        assertThat(server.get("/api/v1/quotas/q-carol", carol)
                        .body()
                        .at("/effective/clusters")
                        .asInt())
                .isEqualTo(100);
    }

    @Test
    void concurrentRegistrationsForTheLastUnitOfAQuotaLetExactlyOneIn() throws Exception {
        String erin = server.ownerToken("q-erin");
        assertThat(put("/api/v1/quotas/q-erin", "{\"clusters\": 3}").status()).isEqualTo(200);
        assertThat(server.post("/api/createCluster", TestServer.seedWithId("q-e0"), erin)
                        .status())
                .isEqualTo(201);
        assertThat(server.post("/api/createCluster", TestServer.seedWithId("q-e1"), erin)
                        .status())
                .isEqualTo(201);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Integer>> racers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String id = "q-race-" + i;
                racers.add(() -> server.post("/api/createCluster", TestServer.seedWithId(id), erin)
                        .status());
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : pool.invokeAll(racers)) {
                statuses.add(f.get());
            }
            assertThat(statuses).filteredOn(s -> s == 201).hasSize(1);
            assertThat(statuses).filteredOn(s -> s == 403).hasSize(7);
        } finally {
            pool.shutdownNow();
        }
        assertThat(server.get("/api/v1/quotas/q-erin", erin)
                        .body()
                        .at("/usage/clusters")
                        .asInt())
                .isEqualTo(3);
    }

    @Test
    void commandGrantsPastTheQuotaOfAMinuteAre429WithRetryAfter() {
        String fay = server.ownerToken("q-fay");
        assertThat(server.post("/api/createCluster", TestServer.seedWithId("q-f1"), fay)
                        .status())
                .isEqualTo(201);
        assertThat(put("/api/v1/quotas/q-fay", "{\"commandsPerMinute\": 2}").status())
                .isEqualTo(200);
        String cmd = "{\"command\": \"history\"}";
        List<Integer> statuses = new ArrayList<>();
        Answer last = null;
        for (int i = 0; i < 3; i++) {
            last = server.post("/api/v1/clusters/q-f1/commands", cmd, fay);
            statuses.add(last.status());
        }
        // two in one minute, or (if the minute turned between them) the third still fits the next one
        assertThat(statuses.subList(0, 2)).containsOnly(201);
        if (statuses.get(2) != 201) {
            assertThat(statuses.get(2)).isEqualTo(429);
            assertThat(last.text("/error/code")).isEqualTo("quota_exceeded");
            assertThat(last.text("/error/details/0/path")).isEqualTo("/quota/commandsPerMinute");
            assertThat(Long.parseLong(last.headers().firstValue("Retry-After").orElseThrow()))
                    .isBetween(1L, 60L);
        }
        // a malformed command is refused for what it is, and costs nothing
        assertThat(server.post("/api/v1/clusters/q-f1/commands", "{\"command\": \"reboot\"}", fay)
                        .status())
                .isEqualTo(422);
    }

    @Test
    void aQuotaThatIsNotOneIsRefusedWithThePointerOfEachWrongField() {
        Answer bad = put("/api/v1/quotas/q-gus", "{\"clusters\": -1, \"jobs\": 1.5, \"gpus\": 4}");
        assertThat(bad.status()).isEqualTo(422);
        List<String> paths = new ArrayList<>();
        bad.body().at("/error/details").forEach(d -> paths.add(d.path("path").asString()));
        assertThat(paths).containsExactlyInAnyOrder("/clusters", "/jobs", "/gpus");
        assertThat(put("/api/v1/quotas/Not_An_Owner", "{}").status()).isEqualTo(400);
        assertThat(put("/api/v1/quotas/_default", "{\"clusters\": null}").status())
                .as("the default always names every quota")
                .isEqualTo(422);
        assertThat(server.send("DELETE", "/api/v1/quotas/_default", null, server.adminToken)
                        .status())
                .isEqualTo(400);
        JsonNode all = server.get("/api/v1/quotas", server.adminToken).body();
        assertThat(all.at("/items/0/owner").asString()).isEqualTo("_default");
        assertThat(all.at("/items/0/effective/jobs").asInt()).isEqualTo(4);
    }

    @Test
    void everyWriteOfAnOwnerIsPacedButNotItsReadsNorTheAdmin() {
        // 3 at once, then one a minute: the 4th write in a row is refused whatever the route
        try (TestServer paced = TestServer.configured(
                c -> c.withWriteLimits(new WriteLimits.Rate(1.0 / 60, 3), new WriteLimits.Rate(1.0 / 60, 3)))) {
            String hal = paced.ownerToken("q-hal");
            paced.send(
                    "PUT",
                    "/api/v1/policies/add_cluster",
                    "{\"rules\":[]}".getBytes(StandardCharsets.UTF_8),
                    paced.adminToken);
            for (int i = 0; i < 3; i++) {
                assertThat(paced.post("/api/createCluster", TestServer.seedWithId("q-h" + i), hal)
                                .status())
                        .isEqualTo(201);
            }
            Answer refused = paced.post(
                    "/container_registry",
                    "{\"container_registry_name\":\"q-reg\",\"container_registry_public_url\":\"http://10.0.0.5:5000\"}",
                    hal);
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.text("/error/code")).isEqualTo("write_rate_exceeded");
            assertThat(Long.parseLong(
                            refused.headers().firstValue("Retry-After").orElseThrow()))
                    .isBetween(1L, 60L);
            assertThat(paced.get("/api/v1/clusters/q-h0", hal).status()).isEqualTo(200);
            assertThat(paced.post("/clusters/query", "{\"query\": {}}", hal).status())
                    .as("a query sent by POST is a read")
                    .isEqualTo(200);
            for (int i = 0; i < 5; i++) {
                assertThat(paced.post("/api/createCluster", TestServer.seedWithId("q-admin" + i), paced.adminToken)
                                .status())
                        .isEqualTo(201);
            }
        }
    }

    @Test
    void anOwnersRequestsUnderWayAreBoundedAndEveryAnswerGivesItsPermitBack() throws Exception {
        try (TestServer capped = TestServer.configured(c -> c.withRequestsInFlight(1));
                java.net.ServerSocket silent =
                        new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            String ivy = capped.ownerToken("q-ivy");
            capped.send(
                    "PUT",
                    "/api/v1/policies/add_cluster",
                    "{\"rules\":[]}".getBytes(StandardCharsets.UTF_8),
                    capped.adminToken);
            // one at a time, every kind of answer (created, not found, invalid, conflict) gives the permit back
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                statuses.add(capped.post("/api/createCluster", TestServer.seedWithId("egress-1"), ivy)
                        .status());
                statuses.add(capped.get("/api/v1/clusters/none-" + i, ivy).status());
                statuses.add(
                        capped.post("/api/createCluster", "{\"id\": 1}", ivy).status());
            }
            assertThat(statuses).doesNotContain(429).contains(201, 409, 404, 422);

            java.util.concurrent.ExecutorService one = Executors.newSingleThreadExecutor();
            try {
                Future<Answer> held =
                        one.submit(() -> EgressIT.preflight(capped, ivy, "https://127.0.0.1:" + silent.getLocalPort()));
                java.net.Socket reached = silent.accept(); // the preflight is under way, held by a silent API server
                Answer next = capped.get("/api/v1/clusters/egress-1", ivy);
                assertThat(next.status()).isEqualTo(429);
                assertThat(next.text("/error/code")).isEqualTo("too_many_requests_in_flight");
                assertThat(next.headers().firstValue("Retry-After")).isPresent();
                assertThat(capped.get("/api/v1/clusters/egress-1", capped.adminToken)
                                .status())
                        .as("the admin is not counted")
                        .isEqualTo(200);
                silent.close(); // the API server goes away: the preflight answers
                reached.close();
                assertThat(held.get(60, java.util.concurrent.TimeUnit.SECONDS).status())
                        .isEqualTo(422);
            } finally {
                one.shutdownNow();
            }
            assertThat(capped.get("/api/v1/clusters/egress-1", ivy).status()).isEqualTo(200);
        }
    }

    @Test
    void aPageOfTheAuditLogIsCutByBytesAndTheRestFollows() {
        assertThat(server.post("/api/createCluster", TestServer.seedWithId("q-audit"), server.adminToken)
                        .status())
                .isEqualTo(201);
        String cmd = "{\"command\": \"block\", \"blockId\": \"b1\", \"body\": {\"pad\": \"" + "x".repeat(3500) + "\"}}";
        int n = 320; // about 1.2 MB of details: more than one page's budget (1 MiB)
        for (int i = 0; i < n; i++) {
            assertThat(server.post("/api/v1/clusters/q-audit/commands", cmd, server.adminToken)
                            .status())
                    .isEqualTo(201);
        }
        String query = "/api/v1/audit?cluster=q-audit&action=command.grant&limit=1000";
        JsonNode first = server.get(query, server.adminToken).body();
        int firstPage = first.path("items").size();
        assertThat(firstPage).as("the byte budget ends the page, not the limit").isBetween(1, n - 1);
        assertThat(first.path("items").toString().length()).isLessThan(1024 * 1024 + 8192);
        int seen = firstPage;
        JsonNode page = first;
        while (page.hasNonNull("continue")) {
            page = server.get(query + "&continue=" + page.path("continue").asString(), server.adminToken)
                    .body();
            seen += page.path("items").size();
        }
        assertThat(seen).isEqualTo(n);
    }
}
