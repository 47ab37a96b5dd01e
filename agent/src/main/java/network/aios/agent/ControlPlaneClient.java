package network.aios.agent;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import network.aios.api.Json;
import tools.jackson.databind.JsonNode;

/**
 * Calls the control plane as the cluster's agent (its bearer token; it may act for this cluster only).
 * Over https it trusts the certificate the control plane published to the cluster
 * ({@code AIOS_CONTROL_PLANE_CA}), or the JDK's default trust when there is none.
 */
final class ControlPlaneClient {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ControlPlaneClient.class);
    private final HttpClient http;
    private final String baseUrl;
    private final java.util.function.Supplier<String> credential;
    private volatile String token;

    /**
     * {@code credential} reads the agent token where the cluster keeps it (the mounted Secret's file):
     * read at start and again whenever the control plane refuses the one in use, because re-creating
     * the infrastructure issues a new one.
     */
    ControlPlaneClient(String baseUrl, java.util.function.Supplier<String> credential, String caPem) {
        this.baseUrl = baseUrl.replaceAll("/+$", "");
        this.credential = credential;
        this.token = credential.get();
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (caPem != null && !caPem.isBlank()) {
            b.sslContext(network.aios.api.Pem.trusting(caPem));
        }
        this.http = b.build();
    }

    /** The answer's status and body; an exception only when there is no answer. */
    record Answer(int status, String body) {}

    Answer post(String path, JsonNode body) throws IOException, InterruptedException {
        Answer a = send(path, body);
        if (a.status() == 401) {
            String again = credential.get();
            if (again != null && !again.equals(token)) {
                LOG.info("the control plane refused this agent's credential; using the one the cluster holds now");
                token = again;
                return send(path, body);
            }
            LOG.warn("the control plane refused this agent's credential for cluster calls (401), and the cluster "
                    + "holds no newer one: was the infrastructure removed? It is read again on the next refusal");
        }
        return a;
    }

    private Answer send(String path, JsonNode body) throws IOException, InterruptedException {
        HttpRequest r = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body)))
                .build();
        HttpResponse<String> response = http.send(r, HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body());
    }

    @Override
    public String toString() {
        return "ControlPlaneClient[" + baseUrl + "]"; // never the token
    }
}
