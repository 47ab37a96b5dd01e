package network.aios.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import network.aios.server.KubeTestCluster;
import network.aios.server.TestServer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The embedded PostgreSQL killed under a running control plane: it exits (75) rather than answer every request
 * with an error, and `aios server` started again on the same data directory has every acknowledged registration.
 * The control plane's own JVM killed mid-job, its PostgreSQL left running, is {@link CrashMatrixIT}'s, at every
 * named point of a create, a resync and a removal.
 */
class CrashRestartIT {
    static Process server(Path data, int port) throws Exception {
        return LocalApi.server(data, port, List.of(), "--heartbeat-grace-seconds", "30");
    }

    int status(int port, String method, String path, String token, String body) {
        return LocalApi.send(port, method, path, token, body).status();
    }

    JsonNode json(int port, String path, String token) {
        return LocalApi.send(port, "GET", path, token, null).body();
    }

    /** The state of crash-0's latest infrastructure job, or null while the server does not answer. */
    String jobState(int port, String token) {
        JsonNode infra = json(port, "/api/v1/clusters/crash-0/infra", token);
        return infra == null ? null : infra.path("job").path("state").asString(null);
    }

    static int freePort() throws Exception {
        return LocalApi.freePort();
    }

    @Test
    void whenItsEmbeddedDatabaseIsKilledTheControlPlaneExitsToBeRestartedWithItAndLosesNothing() throws Exception {
        Path data = Files.createTempDirectory("aios-pg-kill").resolve("data");
        int port = freePort();
        Process first = server(data, port);
        Process second = null;
        try {
            KubeTestCluster.await(
                    () -> status(port, "GET", "/healthz", null, null) == 200,
                    Duration.ofSeconds(90),
                    "the control plane to answer");
            String token = Files.readString(data.resolve("admin-token")).trim();
            assertThat(status(port, "POST", "/api/createCluster", token, TestServer.seedWithId("pg-kill")))
                    .isEqualTo(201);
            long postmaster =
                    Long.parseLong(Files.readAllLines(data.resolve("postgres").resolve("postmaster.pid"))
                            .get(0)
                            .trim());
            ProcessHandle.of(postmaster).orElseThrow().destroyForcibly(); // kill -9, under a running control plane
            assertThat(first.waitFor(30, java.util.concurrent.TimeUnit.SECONDS))
                    .as("it exits by itself, rather than answering every request with an error")
                    .isTrue();
            assertThat(first.exitValue()).as("75: start me again").isEqualTo(75);

            second = server(data, port); // what its supervisor does
            KubeTestCluster.await(
                    () -> status(port, "GET", "/healthz", null, null) == 200,
                    Duration.ofMinutes(5), // its database recovers from the kill first
                    "the control plane to answer again");
            assertThat(status(port, "GET", "/api/v1/clusters/pg-kill", token, null))
                    .isEqualTo(200);
        } finally {
            first.destroyForcibly();
            if (second != null) {
                second.destroy();
                second.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
    }
}
