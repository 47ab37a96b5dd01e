package network.aios.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import network.aios.api.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Re-creating a cluster's infrastructure issues a new agent token, and the kubelet updates the
 * mounted Secret: an agent refused with the old one reads the file again and goes on, without a
 * restart.
 */
class ControlPlaneClientTest {
    @Test
    void aRefusedCredentialIsReadAgainFromTheClusterAndTheCallRepeatedOnce(@TempDir Path dir) throws Exception {
        Path tokenFile = Files.writeString(dir.resolve("AIOS_AGENT_TOKEN"), "old-token\n");
        List<String> seen = new CopyOnWriteArrayList<>();
        HttpServer cp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        cp.createContext("/", ex -> {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            seen.add(auth);
            ex.sendResponseHeaders(auth.equals("Bearer new-token") ? 200 : 401, -1);
            ex.close();
        });
        cp.start();
        try {
            AgentConfig config = new AgentConfig(
                    "controller",
                    "127.0.0.1",
                    0,
                    "c",
                    "http://x",
                    "old-token",
                    null,
                    "aios-system",
                    null,
                    null,
                    null,
                    List.of(),
                    null,
                    null,
                    null,
                    tokenFile,
                    null);
            ControlPlaneClient client =
                    new ControlPlaneClient("http://127.0.0.1:" + cp.getAddress().getPort(), config::currentToken, null);
            // the same file: refused, and nothing newer to try
            assertThat(client.post("/api/v1/clusters/c/heartbeat", Json.object())
                            .status())
                    .isEqualTo(401);
            assertThat(seen).containsExactly("Bearer old-token");
            // the Secret was updated: the refusal makes the agent read it and repeat the call
            Files.writeString(tokenFile, "new-token\n");
            assertThat(client.post("/api/v1/clusters/c/heartbeat", Json.object())
                            .status())
                    .isEqualTo(200);
            assertThat(seen).containsExactly("Bearer old-token", "Bearer old-token", "Bearer new-token");
            // and keeps using the new one
            assertThat(client.post("/api/v1/clusters/c/heartbeat", Json.object())
                            .status())
                    .isEqualTo(200);
            assertThat(seen).hasSize(4).last().isEqualTo("Bearer new-token");
        } finally {
            cp.stop(0);
        }
    }
}
