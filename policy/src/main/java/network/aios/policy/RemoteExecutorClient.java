package network.aios.policy;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import network.aios.api.Json;
import network.aios.egress.EgressGuard;
import network.aios.egress.EgressRefusedException;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Asks a remote policy executor (AIOS remote mode) whether an action may proceed. Every call goes
 * through the egress guard; the answer is read up to {@value #MAX_ANSWER} bytes.
 */
public final class RemoteExecutorClient {
    static final int MAX_ANSWER = 64 * 1024;
    private static final MediaType JSON = MediaType.get("application/json");
    private final OkHttpClient http;

    public RemoteExecutorClient(EgressGuard guard) {
        this.http = guard.client().connectTimeout(Duration.ofSeconds(5)).build();
    }

    public Decision ask(PolicySpec.Executor executor, JsonNode inputData) {
        ObjectNode body = Json.object();
        body.put("policy_rule_uri", executor.policyRuleUri());
        body.set("input_data", inputData);
        body.set("parameters", Json.tree(executor.parameters() == null ? Map.of() : executor.parameters()));
        Request request;
        try {
            request = new Request.Builder()
                    .url(executor.url())
                    .post(RequestBody.create(Json.bytes(body), JSON))
                    .build();
        } catch (IllegalArgumentException e) {
            return failed("the policy executor's URL is not an http(s) URL");
        }
        OkHttpClient client = http.newBuilder()
                .callTimeout(Duration.ofMillis(executor.timeoutOrDefault()))
                .build();
        byte[] raw;
        int status;
        try (Response response = client.newCall(request).execute()) {
            status = response.code();
            okio.BufferedSource source = response.body().source();
            source.request(MAX_ANSWER + 1L); // up to the limit, or to the end
            if (source.getBuffer().size() > MAX_ANSWER) {
                return failed("the policy executor's answer is larger than " + MAX_ANSWER + " bytes");
            }
            raw = source.getBuffer().readByteArray();
        } catch (EgressRefusedException e) {
            return failed("the policy executor's address is refused by the egress guard (" + e.reason() + ")");
        } catch (InterruptedIOException e) {
            return failed("the policy executor did not answer within " + executor.timeoutOrDefault() + " ms");
        } catch (IOException e) {
            return EgressRefusedException.in(e)
                    .map(r ->
                            failed("the policy executor's address is refused by the egress guard (" + r.reason() + ")"))
                    .orElseGet(() -> failed("the policy executor could not be reached: "
                            + e.getClass().getSimpleName()));
        }
        if (status / 100 != 2) {
            return failed("the policy executor answered HTTP " + status);
        }
        JsonNode answer;
        try {
            answer = Json.MAPPER.readTree(raw);
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
        if (reason.length() > 500) {
            reason = reason.substring(0, 500) + "...";
        }
        return new Decision(
                Decision.Outcome.DENIED,
                List.of("denied by the policy executor" + (reason.isBlank() ? "" : ": " + reason)));
    }

    private static Decision failed(String why) {
        return new Decision(Decision.Outcome.EXECUTOR_FAILED, List.of(why));
    }
}
