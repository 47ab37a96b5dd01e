package network.aios.policy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import network.aios.api.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Asks a remote policy executor (AIOS remote mode) whether an action may proceed. */
public final class RemoteExecutorClient {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public Decision ask(PolicySpec.Executor executor, JsonNode inputData) {
        ObjectNode body = Json.object();
        body.put("policy_rule_uri", executor.policyRuleUri());
        body.set("input_data", inputData);
        body.set("parameters", Json.tree(executor.parameters() == null ? Map.of() : executor.parameters()));
        HttpRequest request = HttpRequest.newBuilder(URI.create(executor.url()))
                .timeout(Duration.ofMillis(executor.timeoutOrDefault()))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body)))
                .build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            return failed("the policy executor did not answer within " + executor.timeoutOrDefault() + " ms");
        } catch (IOException e) {
            return failed("the policy executor could not be reached: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed("interrupted while asking the policy executor");
        }
        if (response.statusCode() / 100 != 2) {
            return failed("the policy executor answered HTTP " + response.statusCode());
        }
        JsonNode answer;
        try {
            answer = Json.MAPPER.readTree(response.body());
        } catch (JacksonException e) {
            return failed("the policy executor's answer is not JSON");
        }
        JsonNode allowed = answer.get("allowed");
        if (allowed == null || !allowed.isBoolean()) {
            return failed("the policy executor's answer has no boolean 'allowed'");
        }
        if (allowed.booleanValue()) {
            return Decision.allowed();
        }
        String reason = answer.path("reason").asString("");
        return new Decision(Decision.Outcome.DENIED,
                List.of("denied by the policy executor" + (reason.isBlank() ? "" : ": " + reason)));
    }

    private static Decision failed(String why) {
        return new Decision(Decision.Outcome.EXECUTOR_FAILED, List.of(why));
    }
}
