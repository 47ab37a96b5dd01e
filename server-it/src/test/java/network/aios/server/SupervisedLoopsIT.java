package network.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import network.aios.server.TestServer.Answer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Every background loop of a running control plane is supervised: an {@link Error} thrown into one tick of
 * each (as an out-of-memory-free stand-in for what killed them before) is logged, the loop ticks again, and
 * {@code /readyz} shows the failure and then the progress.
 */
class SupervisedLoopsIT {
    static final List<String> LOOPS = List.of(
            "addon-probes",
            "attestation",
            "heartbeat-flush",
            "job-claims",
            "node-joins",
            "reputation",
            "resync-scan",
            "silence-sweep");

    @Test
    void eachLoopSurvivesAnErrorInATickAndReadyzSaysSo() {
        try (TestServer server = TestServer.configured(c -> c.withAddonProbeInterval(Duration.ofSeconds(1))
                .withResyncEvery(Duration.ofSeconds(5))
                .withAttestEvery(Duration.ofSeconds(2)))) {
            Answer ready = server.get("/readyz", null);
            assertThat(ready.status()).as(ready.body().toString()).isEqualTo(200);
            List<String> names = new ArrayList<>();
            ready.body().path("loops").forEach(l -> names.add(l.path("name").asString()));
            assertThat(names)
                    .as("every loop the control plane runs is supervised")
                    .containsExactlyElementsOf(LOOPS);

            Instant injected = Instant.now();
            for (String loop : LOOPS) {
                server.cp.loops().injectOnce(loop, new LinkageError("injected into " + loop));
            }
            KubeTestCluster.await(
                    () -> {
                        JsonNode loops = server.get("/readyz", null).body().path("loops");
                        for (JsonNode l : loops) {
                            boolean failedThenRan = l.path("failures").asLong() >= 1
                                    && "LinkageError".equals(l.path("lastError").asString())
                                    && !l.path("lastSuccess").isNull()
                                    && Instant.parse(l.path("lastSuccess").asString())
                                            .isAfter(Instant.parse(
                                                    l.path("lastFailure").asString()));
                            if (!failedThenRan) {
                                return false;
                            }
                        }
                        return true;
                    },
                    Duration.ofSeconds(30),
                    "every loop to fail once and tick again after " + injected);
            assertThat(server.get("/readyz", null).status()).isEqualTo(200);
            assertThat(server.get("/healthz", null).status()).isEqualTo(200);
        }
    }
}
