package network.aios.agent;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import network.aios.api.Json;
import tools.jackson.databind.JsonNode;

/**
 * The pull agent's calls to the control plane ({@code /api/v1/pull/...}, {@code docs/PULL.md}). Unlike
 * {@link ControlPlaneClient} it holds no credential: each call is given the one to present, because the
 * credential changes under it (the exchange gives the first, rotation the next ones) and the role keeps it.
 * Over https it trusts {@code --control-plane-ca}, else the JDK's default trust.
 */
final class PullClient {
    private final HttpClient http;
    private final String baseUrl;

    PullClient(String baseUrl, String caPem) {
        this.baseUrl = baseUrl.replaceAll("/+$", "");
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (caPem != null && !caPem.isBlank()) {
            b.sslContext(network.aios.api.Pem.trusting(caPem));
        }
        this.http = b.build();
    }

    /** An answer: its status, body, and the two headers the protocol uses. */
    record Answer(int status, String body, Optional<String> etag, Optional<String> retryAfter) {
        /** The body as JSON; an empty object when it is none (a proxy's HTML page, say). */
        JsonNode json() {
            try {
                return body == null || body.isBlank() ? Json.object() : Json.parse(body);
            } catch (RuntimeException e) {
                return Json.object();
            }
        }

        /** For messages: the status and the error's code ({@code HTTP 401 bootstrap_token_invalid}). */
        String reason() {
            JsonNode err = json().path("error");
            return "HTTP " + status + (err.isObject() ? " " + err.path("code").asString("") : "");
        }

        /** {@code Retry-After} in seconds: 5 when absent or not a number of seconds, between 1 and 60. */
        long retryAfterSeconds() {
            try {
                return Math.min(
                        60, Math.max(1, Long.parseLong(retryAfter.orElse("5").trim())));
            } catch (NumberFormatException e) {
                return 5;
            }
        }

        /** The revision an {@code ETag: "<revision>"} names (quotes and a weak prefix taken off). */
        Optional<String> revision() {
            return etag.map(e -> e.replaceFirst("^W/", "").replaceAll("^\"|\"$", ""));
        }
    }

    /** {@code POST /exchange}: the bootstrap token is the credential here, in the body. */
    Answer exchange(String bootstrapToken, String clusterUid) throws IOException, InterruptedException {
        JsonNode body = Json.object().put("bootstrapToken", bootstrapToken).put("clusterUid", clusterUid);
        return send(request("/api/v1/pull/exchange", null, Duration.ofSeconds(15))
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body)))
                .build());
    }

    /**
     * {@code GET /desired}, answered when the control plane answers: a long poll of up to {@code waitSeconds}
     * when {@code revision} (the one applied) is given, at once without it.
     */
    CompletableFuture<Answer> desired(String credential, String revision, int waitSeconds) {
        HttpRequest.Builder r = request(
                        "/api/v1/pull/desired?waitSeconds=" + waitSeconds,
                        credential,
                        Duration.ofSeconds(waitSeconds + 15L))
                .GET();
        if (revision != null) {
            r.header("If-None-Match", "\"" + revision + "\"");
        }
        return http.sendAsync(r.build(), HttpResponse.BodyHandlers.ofString()).thenApply(PullClient::answer);
    }

    /** {@code POST /report}. */
    Answer report(String credential, JsonNode report) throws IOException, InterruptedException {
        return send(request("/api/v1/pull/report", credential, Duration.ofSeconds(15))
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(report)))
                .build());
    }

    /** {@code POST /rotate}: a new credential; the one presented is revoked at once. */
    Answer rotate(String credential) throws IOException, InterruptedException {
        return send(request("/api/v1/pull/rotate", credential, Duration.ofSeconds(15))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    }

    private HttpRequest.Builder request(String path, String credential, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json");
        if (credential != null) {
            b.header("Authorization", "Bearer " + credential);
        }
        return b;
    }

    private Answer send(HttpRequest r) throws IOException, InterruptedException {
        return answer(http.send(r, HttpResponse.BodyHandlers.ofString()));
    }

    private static Answer answer(HttpResponse<String> response) {
        return new Answer(
                response.statusCode(),
                response.body(),
                response.headers().firstValue("ETag"),
                response.headers().firstValue("Retry-After"));
    }

    @Override
    public String toString() {
        return "PullClient[" + baseUrl + "]"; // holds no credential
    }
}
