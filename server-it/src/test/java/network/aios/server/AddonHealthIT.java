package network.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import network.aios.server.TestServer.Answer;
import network.aios.server.engine.RetryPolicy;
import network.aios.store.TestPostgres;
import org.junit.jupiter.api.Test;

/** A registered add-on's URL is probed: its status flips when it goes down and comes back (loopback only). */
class AddonHealthIT {
    static HttpServer registry(int port) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        s.createContext("/v2/", ex -> {
            ex.sendResponseHeaders(401, -1); // an OCI registry asking for credentials is alive
            ex.close();
        });
        s.start();
        return s;
    }

    @Test
    void statusFollowsTheEndpoint() throws Exception {
        try (TestServer server = new TestServer(
                TestPostgres.freshDatabase(8),
                Files.createTempDirectory("health"),
                null,
                null,
                RetryPolicy.defaults(),
                true,
                Duration.ofMillis(200))) {
            HttpServer up = registry(0);
            int port = up.getAddress().getPort();
            Answer a = server.post(
                    "/container_registry",
                    "{\"container_registry_name\":\"probed\"," + "\"container_registry_public_url\":\"http://127.0.0.1:"
                            + port + "\"}",
                    server.adminToken);
            String path = "/container_registry/" + a.text("/id");
            KubeTestCluster.await(
                    () -> "up".equals(server.get(path, server.adminToken).text("/system/health/status")),
                    Duration.ofSeconds(10),
                    "the registry to be seen up");
            String seen = server.get(path, server.adminToken).text("/system/health/lastSeenAt");
            // in a fixed vocabulary: what the address answered (a 401 here) is not repeated to whoever registered it
            assertThat(server.get(path, server.adminToken).text("/system/health/message"))
                    .isEqualTo("up: it answers");

            up.stop(0);
            KubeTestCluster.await(
                    () -> "down".equals(server.get(path, server.adminToken).text("/system/health/status")),
                    Duration.ofSeconds(10),
                    "the registry to be marked down");
            Answer down = server.get(path, server.adminToken);
            assertThat(down.status()).isEqualTo(200);
            assertThat(down.text("/system/health/message")).isEqualTo("down: refused");
            assertThat(down.text("/system/health/lastSeenAt")).isNotNull();
            assertThat(java.time.Instant.parse(down.text("/system/health/lastSeenAt")))
                    .isAfterOrEqualTo(java.time.Instant.parse(seen));

            HttpServer back = registry(port);
            try {
                KubeTestCluster.await(
                        () -> "up".equals(server.get(path, server.adminToken).text("/system/health/status")),
                        Duration.ofSeconds(10),
                        "the registry to be seen up again");
            } finally {
                back.stop(0);
            }
        }
    }

    @Test
    void anOwnersManyAddonsAreEachProbedThoughOnlyTwoGoAtOnce() throws Exception {
        // one owner, more add-ons than the pool's threads and far more than its share of them: the ones not
        // started on a tick stay due, so every one is probed (before, the first ids by name took every turn)
        try (TestServer server = new TestServer(
                TestPostgres.freshDatabase(8),
                Files.createTempDirectory("health-many"),
                null,
                null,
                RetryPolicy.defaults(),
                true,
                Duration.ofMillis(200))) {
            HttpServer up = registry(0);
            try {
                String owner = server.ownerToken("many-probed");
                java.util.List<String> paths = new java.util.ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    Answer a = server.post(
                            "/container_registry",
                            "{\"container_registry_name\":\"probed-" + i + "\",\"container_registry_public_url\":"
                                    + "\"http://127.0.0.1:" + up.getAddress().getPort() + "\"}",
                            owner);
                    assertThat(a.status()).isEqualTo(201);
                    paths.add("/container_registry/" + a.text("/id"));
                }
                KubeTestCluster.await(
                        () -> paths.stream()
                                .allMatch(p -> "up".equals(server.get(p, owner).text("/system/health/status"))),
                        Duration.ofSeconds(30),
                        "every one of the owner's add-ons to be probed");
            } finally {
                up.stop(0);
            }
        }
    }
}
