package network.aios.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import network.aios.api.FieldError;
import network.aios.api.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class PolicyEngineTest {
    private final PolicyEngine engine = new PolicyEngine(
            new RemoteExecutorClient(network.aios.egress.EgressGuard.of(java.util.List.of("127.0.0.0/8"), () -> 0)));
    private final JsonNode seed = Json.MAPPER.readTree(read("cluster.json"));
    private HttpServer executor;
    private CountDownLatch release = new CountDownLatch(1);

    private static byte[] read(String name) {
        try {
            return Files.readAllBytes(Path.of("..", "examples", name));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterEach
    void stop() {
        release.countDown();
        if (executor != null) {
            executor.stop(0);
        }
    }

    private static PolicySpec rules(String... exprAndMessage) {
        List<PolicySpec.Rule> rules = new java.util.ArrayList<>();
        for (int i = 0; i < exprAndMessage.length; i += 2) {
            rules.add(new PolicySpec.Rule(null, exprAndMessage[i], exprAndMessage[i + 1]));
        }
        return new PolicySpec(rules, null);
    }

    @Test
    void aNodeRuleSeesTheNodeAndIsFalseWithoutOne() throws Exception {
        CompiledPolicy p = CompiledPolicy.compile(
                rules("has(node_data.gpus) && node_data.gpus.count <= 4", "an external node brings at most 4 GPUs"));
        JsonNode small = Json.MAPPER.readTree("{\"id\": \"edge-1\", \"gpus\": {\"count\": 2}}");
        JsonNode big = Json.MAPPER.readTree("{\"id\": \"edge-2\", \"gpus\": {\"count\": 8}}");
        assertThat(engine.evaluate(p, seed, seed, small).isAllowed()).isTrue();
        assertThat(engine.evaluate(p, seed, seed, big).reasons())
                .containsExactly("an external node brings at most 4 GPUs");
        assertThat(engine.evaluate(p, seed, null).isAllowed())
                .as("no node: the rule fails closed")
                .isFalse();
    }

    @Test
    void emptyPolicyAllowsEverything() throws Exception {
        assertThat(engine.evaluate(CompiledPolicy.compile(PolicySpec.allowAll()), seed, null)
                        .isAllowed())
                .isTrue();
    }

    @Test
    void rulesOverTheDocumentAllowTheSeed() throws Exception {
        CompiledPolicy p = CompiledPolicy.compile(rules(
                "cluster_data.gpus.count >= 1", "needs a GPU",
                "cluster_data.nodes.nodeData.all(n, n.vcpus.count >= 8)", "every node needs 8 vCPUs",
                "cluster_data.reputation >= 0.0", "reputation compared across int and double",
                "'gpu' in cluster_data.tags", "must be tagged gpu",
                "has(cluster_data.config.publicHostname)", "needs a public hostname"));
        assertThat(engine.evaluate(p, seed, null)).isEqualTo(Decision.allowed());
    }

    @Test
    void denyListsEveryFailedRuleMessage() throws Exception {
        CompiledPolicy p = CompiledPolicy.compile(rules(
                "cluster_data.gpus.count >= 8", "at least 8 GPUs are required",
                "cluster_data.regionId == 'us-west-2'", "region is fine",
                "cluster_data.memory > 1000000", "at least 1 TB of memory is required"));
        Decision d = engine.evaluate(p, seed, null);
        assertThat(d.outcome()).isEqualTo(Decision.Outcome.DENIED);
        assertThat(d.reasons()).containsExactly("at least 8 GPUs are required", "at least 1 TB of memory is required");
    }

    @Test
    void evaluationErrorsFailClosed() throws Exception {
        CompiledPolicy p = CompiledPolicy.compile(rules("cluster_data.noSuchField == 1", "missing field"));
        Decision d = engine.evaluate(p, seed, null);
        assertThat(d.outcome()).isEqualTo(Decision.Outcome.DENIED);
        assertThat(d.reasons()).singleElement().asString().startsWith("missing field (rule could not be evaluated");
    }

    @Test
    void updateRulesSeeTheOldDocument() throws Exception {
        CompiledPolicy p = CompiledPolicy.compile(
                rules("cluster_data.regionId == old_cluster_data.regionId", "a cluster cannot change region"));
        JsonNode moved = ((tools.jackson.databind.node.ObjectNode) seed.deepCopy()).put("regionId", "eu-west-1");
        assertThat(engine.evaluate(p, seed, seed).isAllowed()).isTrue();
        assertThat(engine.evaluate(p, moved, seed).reasons()).containsExactly("a cluster cannot change region");
    }

    @Test
    void compileReportsEveryBadRuleByPointer() {
        PolicyCompileException e = catchThrowableOfType(
                PolicyCompileException.class,
                () -> CompiledPolicy.compile(new PolicySpec(
                        List.of(
                                new PolicySpec.Rule(null, "cluster_data.gpus.count >=", "syntax"),
                                new PolicySpec.Rule(null, "1 + 2", "not a bool"),
                                new PolicySpec.Rule(null, "unknown_var > 1", "unknown"),
                                new PolicySpec.Rule(null, "true", null)),
                        new PolicySpec.Executor("ftp://nope", null, null, null, null, 0L, null))));
        assertThat(e.errors())
                .extracting(FieldError::path)
                .containsExactly(
                        "/rules/0/expression",
                        "/rules/1/expression",
                        "/rules/2/expression",
                        "/rules/3/message",
                        "/executor/url",
                        "/executor/timeoutMillis");
    }

    private String startExecutor(int status, String answer, boolean hang, AtomicReference<JsonNode> seen)
            throws IOException {
        CountDownLatch gate = new CountDownLatch(1);
        release = gate;
        executor = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        executor.createContext("/", ex -> {
            if (seen != null) {
                seen.set(Json.MAPPER.readTree(ex.getRequestBody().readAllBytes()));
            }
            if (hang) {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] b = answer.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        executor.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        executor.start();
        return "http://127.0.0.1:" + executor.getAddress().getPort() + "/policy";
    }

    private Decision withExecutor(String url, long timeout) throws Exception {
        PolicySpec spec = new PolicySpec(
                List.of(),
                new PolicySpec.Executor(
                        url, null, null, "policies/cluster-admission:v1", Map.of("minGpus", 1), timeout, null));
        return engine.evaluate(CompiledPolicy.compile(spec), seed, null);
    }

    @Test
    void remoteExecutorReceivesTheAiosRequestAndCanAllow() throws Exception {
        AtomicReference<JsonNode> seen = new AtomicReference<>();
        String url = startExecutor(200, "{\"allowed\":true,\"input_data\":{},\"reason\":\"ok\"}", false, seen);
        assertThat(withExecutor(url, 2000).isAllowed()).isTrue();
        assertThat(seen.get().get("policy_rule_uri").asString()).isEqualTo("policies/cluster-admission:v1");
        assertThat(seen.get().at("/input_data/cluster_data/id").asString()).isEqualTo("cluster-west-vision-001");
        assertThat(seen.get().at("/parameters/minGpus").asInt()).isEqualTo(1);
    }

    @Test
    void remoteExecutorDenyCarriesItsReason() throws Exception {
        String url = startExecutor(200, "{\"allowed\":false,\"reason\":\"region is full\"}", false, null);
        Decision d = withExecutor(url, 2000);
        assertThat(d.outcome()).isEqualTo(Decision.Outcome.DENIED);
        assertThat(d.reasons()).containsExactly("denied by the policy executor: region is full");
    }

    @Test
    void executorFailuresAreNotDenials() throws Exception {
        assertThat(withExecutor(startExecutor(500, "boom", false, null), 2000).outcome())
                .isEqualTo(Decision.Outcome.EXECUTOR_FAILED);
        stop();
        Decision slow = withExecutor(startExecutor(200, "{\"allowed\":true}", true, null), 200);
        assertThat(slow.outcome()).isEqualTo(Decision.Outcome.EXECUTOR_FAILED);
        assertThat(slow.reasons()).containsExactly("the policy executor did not answer within 200 ms");
        assertThat(withExecutor("http://127.0.0.1:1/none", 2000).outcome()).isEqualTo(Decision.Outcome.EXECUTOR_FAILED);
    }

    @Test
    void aRegisteredExecutorIsAskedAtItsUrlPlusPathAndAnUnknownOneIsAFailureNotADenial() throws Exception {
        AtomicReference<JsonNode> seen = new AtomicReference<>();
        String url = startExecutor(200, "{\"allowed\":false,\"reason\":\"asked\"}", false, seen);
        String base = url.substring(0, url.length() - "/policy".length());
        PolicyEngine withDirectory = new PolicyEngine(
                new RemoteExecutorClient(network.aios.egress.EgressGuard.of(java.util.List.of("127.0.0.0/8"), () -> 0)),
                (id, owner) ->
                        "executor-001".equals(id) ? java.util.Optional.of(base + "/") : java.util.Optional.empty());
        PolicySpec spec = new PolicySpec(
                List.of(),
                new PolicySpec.Executor(
                        null, "executor-001", "policy", "policies/cluster-admission:v1", null, 2000L, null));
        Decision d = withDirectory.evaluate(CompiledPolicy.compile(spec), seed, null);
        assertThat(d.reasons()).containsExactly("denied by the policy executor: asked");
        assertThat(seen.get().get("policy_rule_uri").asString()).isEqualTo("policies/cluster-admission:v1");

        PolicySpec unknown =
                new PolicySpec(List.of(), new PolicySpec.Executor(null, "executor-404", null, "p", null, null, null));
        Decision missing = withDirectory.evaluate(CompiledPolicy.compile(unknown), seed, null);
        assertThat(missing.outcome()).isEqualTo(Decision.Outcome.EXECUTOR_FAILED);
        assertThat(missing.reasons().get(0)).contains("executor-404");
    }
}
