package network.aios.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import network.aios.api.Json;
import network.aios.member.desired.AddonDeployment;
import network.aios.member.desired.InfraNames;
import network.aios.server.KubeTestCluster;
import network.aios.server.TestServer;
import network.aios.server.TestServer.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Every route the server serves × every kind of caller → the expected answer, generated from the
 * server's own route table: a route without a row here fails the test, so a new route cannot ship
 * without deciding who may call it. Bodies are empty objects on purpose: authorization must come before
 * validation, so another owner gets 404 for a cluster whatever is wrong with the request. Every resource a
 * row names exists for A when it is called (a job, metrics, routes, a deployed split runner: on a real API
 * server), so "another owner gets 404" and "A is allowed" can fail on every row.
 */
class AuthorizationMatrixIT {
    enum Caller {
        ANONYMOUS,
        ADMIN,
        OWNER,
        OTHER_OWNER,
        AGENT,
        OTHER_AGENT
    }

    /** Who may call a route. */
    enum Access {
        /** no token needed */
        PUBLIC,
        /** any owner or the admin; agents are refused */
        USER,
        /** any authenticated caller, agents included */
        ANYONE,
        /** the network admin only */
        ADMIN,
        /** the owner of the resource (A) and the admin; another owner gets 404 */
        OWNED,
        /** the resource's cluster's agent only */
        AGENT_OF,
        /** the owner it names (A) and the admin; another owner and agents get 403 */
        SELF,
        /** reached without an API token: only a valid bootstrap token passes, anything else is a 401 */
        BOOTSTRAP,
        /** a pull agent's own credential only (tested with one in PullJoinIT); any other caller 403 */
        PULL_AGENT
    }

    static final Map<String, Access> ROWS = new LinkedHashMap<>();

    static {
        ROWS.put("GET /healthz", Access.PUBLIC);
        ROWS.put("GET /readyz", Access.PUBLIC);
        ROWS.put("GET /api/v1/whoami", Access.ANYONE);
        // cluster registry
        ROWS.put("POST /api/createCluster", Access.USER);
        ROWS.put("POST /api/v1/clusters", Access.USER);
        ROWS.put("GET /api/v1/clusters", Access.USER);
        ROWS.put("GET /api/v1/clusters/{id}", Access.OWNED);
        ROWS.put("PUT /api/v1/clusters/{id}", Access.OWNED);
        ROWS.put("PATCH /api/v1/clusters/{id}", Access.OWNED);
        ROWS.put("DELETE /api/v1/clusters/{id}", Access.OWNED);
        ROWS.put("GET /clusters/read/{id}", Access.OWNED);
        ROWS.put("PUT /clusters/update/{id}", Access.OWNED);
        ROWS.put("POST /clusters/update/{id}", Access.OWNED);
        ROWS.put("DELETE /clusters/delete/{id}", Access.OWNED);
        ROWS.put("POST /clusters/delete/{id}", Access.OWNED);
        ROWS.put("POST /clusters/query", Access.USER);
        // policies
        ROWS.put("GET /api/v1/policies", Access.USER);
        ROWS.put("GET /api/v1/policies/{action}", Access.USER);
        ROWS.put("PUT /api/v1/policies/{action}", Access.ADMIN);
        ROWS.put("GET /api/v1/policies/{action}/versions", Access.USER);
        ROWS.put("GET /api/v1/policies/{action}/versions/{version}", Access.USER);
        ROWS.put("POST /api/v1/policies/{action}/dry-run", Access.ADMIN);
        ROWS.put("POST /api/v1/policies/{action}/check", Access.USER);
        // tokens, audit
        ROWS.put("POST /api/v1/tokens", Access.ADMIN);
        ROWS.put("GET /api/v1/tokens", Access.ADMIN);
        ROWS.put("DELETE /api/v1/tokens/{name}", Access.ADMIN);
        ROWS.put("GET /api/v1/audit", Access.ADMIN);
        // quotas: the admin sets them; an owner reads its own
        ROWS.put("GET /api/v1/quotas", Access.ADMIN);
        ROWS.put("GET /api/v1/quotas/{owner}", Access.SELF);
        ROWS.put("PUT /api/v1/quotas/{owner}", Access.ADMIN);
        ROWS.put("DELETE /api/v1/quotas/{owner}", Access.ADMIN);
        // infrastructure
        ROWS.put("POST /create-cluster-infra", Access.OWNED);
        ROWS.put("POST /remove-cluster-infra", Access.OWNED);
        ROWS.put("PUT /api/v1/clusters/{id}/infra", Access.OWNED);
        ROWS.put("DELETE /api/v1/clusters/{id}/infra", Access.OWNED);
        ROWS.put("GET /api/v1/clusters/{id}/infra", Access.OWNED);
        ROWS.put("GET /api/v1/clusters/{id}/infra/manifests", Access.OWNED);
        ROWS.put("POST /api/v1/clusters/{id}/preflight", Access.OWNED);
        ROWS.put("GET /api/v1/jobs/{id}", Access.OWNED);
        // the cluster's own view
        ROWS.put("POST /api/v1/clusters/{id}/heartbeat", Access.AGENT_OF);
        ROWS.put("POST /api/v1/clusters/{id}/metrics", Access.AGENT_OF);
        ROWS.put("POST /api/v1/clusters/{id}/audit", Access.AGENT_OF);
        ROWS.put("GET /api/v1/clusters/{id}/health", Access.OWNED);
        ROWS.put("GET /api/v1/clusters/{id}/metrics", Access.OWNED);
        ROWS.put("GET /api/v1/clusters/{id}/metrics/nodes/{nodeId}", Access.OWNED);
        ROWS.put("GET /cluster-metrics/{clusterId}", Access.OWNED);
        ROWS.put("GET /cluster-metrics/node/{clusterId}/{nodeId}", Access.OWNED);
        ROWS.put("POST /api/v1/clusters/{id}/routes", Access.OWNED);
        ROWS.put("POST /api/v1/clusters/{id}/commands", Access.OWNED);
        ROWS.put("GET /api/v1/agent-ca", Access.USER);
        ROWS.put("GET /api/v1/clusters/{id}/routes", Access.OWNED);
        ROWS.put("DELETE /api/v1/clusters/{id}/routes/{kind}/{routeId}", Access.OWNED);
        ROWS.put("POST /api/v1/clusters/{id}/join-tokens", Access.OWNED);
        ROWS.put("GET /api/v1/clusters/{id}/join-tokens", Access.OWNED);
        ROWS.put("GET /api/v1/clusters/{id}/join-tokens/{joinId}", Access.OWNED);
        ROWS.put("DELETE /api/v1/clusters/{id}/join-tokens/{joinId}", Access.OWNED);
        // add-ons
        for (String kind :
                List.of("/container_registry", "/asset_registry", "/inference_server", "/executor", "/split-runner")) {
            ROWS.put("POST " + kind, Access.USER);
            ROWS.put("GET " + kind, Access.USER);
            ROWS.put("GET " + kind + "/{id}", Access.OWNED);
            ROWS.put("PUT " + kind + "/{id}", Access.OWNED);
            ROWS.put("DELETE " + kind + "/{id}", Access.OWNED);
        }
        ROWS.put("POST /inference_server/{id}/route", Access.OWNED);
        ROWS.put("GET /inference_server/{id}/route", Access.OWNED);
        ROWS.put("DELETE /inference_server/{id}/route", Access.OWNED);
        ROWS.put("POST /executor/{id}/create-infra", Access.OWNED);
        ROWS.put("DELETE /executor/{id}/remove-infra", Access.OWNED);
        ROWS.put("POST /split-runner/{id}/create-infra", Access.OWNED);
        ROWS.put("DELETE /split-runner/{id}/remove-infra", Access.OWNED);
        ROWS.put("GET /executor/{id}/infra", Access.OWNED);
        ROWS.put("GET /split-runner/{id}/infra", Access.OWNED);
        // pull mode: A's cluster has push infrastructure, so a join is refused (409) and none exists to decide
        ROWS.put("POST /api/v1/clusters/{id}/join", Access.OWNED);
        ROWS.put("GET /api/v1/clusters/{id}/join", Access.OWNED);
        ROWS.put("DELETE /api/v1/clusters/{id}/join", Access.OWNED);
        ROWS.put("POST /api/v1/clusters/{id}/accept", Access.ADMIN);
        ROWS.put("POST /api/v1/clusters/{id}/refuse", Access.ADMIN);
        ROWS.put("POST /api/v1/pull/exchange", Access.BOOTSTRAP);
        ROWS.put("GET /api/v1/pull/desired", Access.PULL_AGENT);
        ROWS.put("POST /api/v1/pull/report", Access.PULL_AGENT);
        ROWS.put("POST /api/v1/pull/rotate", Access.PULL_AGENT);
    }

    static TestServer server;
    static KubeTestCluster kube;
    static final List<AutoCloseable> KUBELET = new ArrayList<>();
    static final Map<Caller, String> TOKENS = new LinkedHashMap<>();
    /** The current infrastructure job of A's cluster: {@code GET /api/v1/jobs/{id}} probes a job that exists. */
    static String jobId;

    static final List<String> DEPLOYED_TO =
            List.of(InfraNames.NAMESPACE, AddonDeployment.EXECUTOR_NAMESPACE, AddonDeployment.SPLIT_RUNNER_NAMESPACE);

    @BeforeAll
    static void start() {
        // A's cluster, executor and split runner are deployed on a real API server, so that every sub-resource a
        // row names (a job, metrics, gateway routes, a split runner and its deployment) exists for A
        kube = KubeTestCluster.shared();
        kube.prepare(List.of("node-1", "node-2"));
        for (String ns : DEPLOYED_TO) {
            kube.awaitNamespaceGone(ns);
            KUBELET.add(kube.fakeKubelet(ns, 1800));
            KUBELET.add(kube.podTerminator(ns));
        }
        server = new TestServer();
        TOKENS.put(Caller.ADMIN, server.adminToken);
        TOKENS.put(Caller.OWNER, server.ownerToken("alice"));
        TOKENS.put(Caller.OTHER_OWNER, server.ownerToken("bob"));
        // version 1 of add_cluster exists (admits everything)
        server.send(
                "PUT",
                "/api/v1/policies/add_cluster",
                "{\"rules\":[]}".getBytes(StandardCharsets.UTF_8),
                server.adminToken);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            // leave the shared API server as we found it (the executor is never deployed: its create-infra gets {})
            settle("/executor/mx-exec/infra");
            var runner = java.util.concurrent.CompletableFuture.runAsync(() -> expect(
                    200, 202, server.send("DELETE", "/split-runner/mx-runner?cascade=true", null, server.adminToken)));
            settle(CLUSTER_INFRA);
            Answer removal = server.post("/remove-cluster-infra", "{\"cluster_id\":\"mx-a\"}", server.adminToken);
            assertThat(removal.status()).as(String.valueOf(removal.body())).isIn(200, 202);
            server.awaitJob(removal.text("/job_id"), "Removed");
            runner.join();
            settle("/split-runner/mx-runner/infra");
            server.close();
        }
        for (AutoCloseable k : KUBELET) {
            k.close();
        }
    }

    static final String CLUSTER_INFRA = "/api/v1/clusters/mx-a/infra";

    /** A's kubeconfig for the API server, as the JSON the add-on routes take. */
    static String kubeconfigJson() {
        return Json.MAPPER.writeValueAsString(Json.YAML.readTree(kube.ownerKubeconfigYaml()));
    }

    /**
     * What A owns, (re)created before each call so destructive routes don't change later answers: the
     * registrations, the cluster's infrastructure (Ready), its agents' reports and metrics, a gateway route, an
     * inference server's route, a split runner deployed. A job some call started is waited for first.
     */
    static void ensureWorld() {
        String a = TOKENS.get(Caller.OWNER);
        server.post("/api/createCluster", TestServer.seedWithId("mx-a"), a);
        server.post("/api/createCluster", TestServer.seedWithId("mx-b"), TOKENS.get(Caller.OTHER_OWNER));
        server.post(
                "/container_registry",
                "{\"id\":\"mx-reg\",\"container_registry_name\":\"mx-reg\","
                        + "\"container_registry_public_url\":\"http://10.0.0.5:5000\"}",
                a);
        server.post(
                "/asset_registry",
                "{\"asset_registry_name\":\"mx-assets\",\"asset_registry_public_url\":" + "\"http://10.0.0.6:9000\"}",
                a);
        server.post(
                "/inference_server",
                "{\"inference_server_name\":\"mx-inf\",\"inference_server_public_url\":"
                        + "\"http://10.0.0.7:8000\",\"cluster_id\":\"mx-a\"}",
                a);
        server.post("/executor", "{\"executor_id\":\"mx-exec\",\"cluster_id\":\"mx-a\"}", a);
        server.post("/api/v1/tokens", "{\"name\":\"mx-victim\",\"role\":\"owner\"}", server.adminToken);
        // A's own quotas exist (deleting them is a destructive route)
        server.send(
                "PUT", "/api/v1/quotas/alice", "{\"clusters\":50}".getBytes(StandardCharsets.UTF_8), server.adminToken);

        settle("/executor/mx-exec/infra");
        jobId = ready(
                CLUSTER_INFRA,
                () -> server.post(
                        "/create-cluster-infra",
                        "{\"cluster_id\":\"mx-a\",\"kube_config_data\":" + kubeconfigJson() + "}",
                        a));
        if (server.get("/split-runner/mx-runner", server.adminToken).status() == 404) {
            Answer runner = server.post(
                    "/split-runner",
                    "{\"split_runner_id\":\"mx-runner\",\"split_runner_public_host\":\"10.0.0.8\","
                            + "\"cluster_k8s_config\":" + kubeconfigJson() + "}",
                    a);
            assertThat(runner.status()).as(runner.body().toString()).isEqualTo(201);
            server.awaitJob(runner.text("/job/job_id"), "Ready");
        }
        ready(
                "/split-runner/mx-runner/infra",
                () -> server.post(
                        "/split-runner/mx-runner/create-infra", "{\"cluster_config\":" + kubeconfigJson() + "}", a));
        // deleting a cluster or (re)creating its infrastructure revokes its agents' credentials: mint them again
        TOKENS.put(Caller.AGENT, server.cp.tokens().issueAgent("mx-a", "test").token());
        TOKENS.put(
                Caller.OTHER_AGENT,
                server.cp.tokens().issueAgent("mx-b", "test").token());
        String agent = TOKENS.get(Caller.AGENT);
        if (server.get("/api/v1/clusters/mx-a/metrics/nodes/node-1", server.adminToken)
                        .status()
                == 404) {
            expect(200, 200, server.post("/api/v1/clusters/mx-a/heartbeat", "{\"inventory\":{\"nodes\":[]}}", agent));
            expect(
                    202,
                    202,
                    server.post(
                            "/api/v1/clusters/mx-a/metrics",
                            "{\"clusterId\":\"mx-a\",\"observedAt\":\"" + Instant.now() + "\",\"metricsApi\":"
                                    + "\"absent\",\"nodes\":[{\"name\":\"worker-node-1\",\"nodeId\":\"node-1\","
                                    + "\"cpu\":{\"capacity\":32}}],\"cluster\":{\"cpu\":{\"capacity\":32}}}",
                            agent));
        }
        if (!server.get("/api/v1/clusters/mx-a/routes", server.adminToken)
                .body()
                .toString()
                .contains("mx-block")) {
            expect(
                    201,
                    201,
                    server.post(
                            "/api/v1/clusters/mx-a/routes",
                            "{\"kind\":\"block\",\"id\":\"mx-block\",\"service\":\"mx-block.blocks:8080\"}",
                            a));
        }
        // a join token in flight (each call may have revoked the last one)
        server.db.jdbi().useHandle(h -> h.execute("DELETE FROM node_joins WHERE id = 'nj-none'"));
        new network.aios.store.NodeJoinStore(server.db)
                .insert(
                        new network.aios.store.NodeJoinRecord(
                                "nj-none",
                                "mx-a",
                                "edge-mx",
                                "{\"id\": \"edge-mx\"}",
                                "mxmxmx",
                                new network.aios.store.Sealed("k", new byte[] {1}),
                                null,
                                network.aios.store.NodeJoinRecord.State.ISSUED,
                                Instant.now().plusSeconds(3600),
                                "alice",
                                Instant.now(),
                                null,
                                null,
                                network.aios.store.NodeJoinRecord.SecretState.PENDING,
                                null,
                                null),
                        100);
        String inference = addonId("/inference_server");
        if (server.get("/inference_server/" + inference + "/route", server.adminToken)
                        .status()
                == 404) {
            expect(
                    201,
                    201,
                    server.post(
                            "/inference_server/" + inference + "/route", "{\"service\":\"mx-inf.inference:8000\"}", a));
        }
    }

    static void expect(int one, int other, Answer a) {
        assertThat(a.status()).as(String.valueOf(a.body())).isIn(one, other);
    }

    /** Waits for the job of the infrastructure at {@code path}, if one is under way. */
    static JsonNode settle(String path) {
        JsonNode job = server.get(path, server.adminToken).body().path("job");
        if (job.isObject() && !job.hasNonNull("finishedAt")) {
            return server.awaitJob(job.get("id").asString());
        }
        return job;
    }

    /** The infrastructure at {@code path} Ready, created again by {@code create} if a call removed it; its job id. */
    static String ready(String path, java.util.function.Supplier<Answer> create) {
        JsonNode job = settle(path);
        if (job.isObject() && "Ready".equals(job.get("state").asString())) {
            return job.get("id").asString();
        }
        Answer created = create.get();
        assertThat(created.status()).as(String.valueOf(created.body())).isIn(200, 202);
        return server.awaitJob(created.text("/job_id"), "Ready").get("id").asString();
    }

    /** The id of A's add-on of a kind (registries get server-assigned ids). */
    static String addonId(String kindPath) {
        if (kindPath.equals("/executor")) {
            return "mx-exec";
        }
        if (kindPath.equals("/split-runner")) {
            return "mx-runner";
        }
        Answer list = server.get(kindPath, TOKENS.get(Caller.OWNER));
        return list.body().at("/items/0/id").asString();
    }

    static String concrete(String path) {
        String p = path;
        for (String kind :
                List.of("/container_registry", "/asset_registry", "/inference_server", "/executor", "/split-runner")) {
            if (p.startsWith(kind + "/{id}")) {
                p = p.replace("{id}", addonId(kind));
            }
        }
        return p.replace("{id}", p.startsWith("/api/v1/jobs/") ? jobId : "mx-a")
                .replace("{clusterId}", "mx-a")
                .replace("{nodeId}", "node-1")
                .replace("{action}", "add_cluster")
                .replace("{version}", "1")
                .replace("{name}", "mx-victim")
                .replace("{kind}", "block")
                .replace("{routeId}", "mx-block")
                .replace("{joinId}", "nj-none")
                .replace("{owner}", "alice");
    }

    static byte[] body(String method, String path) {
        if (method.equals("GET")) {
            return null;
        }
        // a removal gets a credential that is not a kubeconfig: whoever may remove gets past authorization to
        // 422 naming it, and nothing is torn down (tearing down and redeploying six times costs a minute)
        String json;
        if (path.equals("/remove-cluster-infra")) {
            json = "{\"cluster_id\":\"mx-a\",\"kube_config_data\":42}";
        } else if (path.equals("/api/v1/clusters/{id}/infra") && method.equals("DELETE")) {
            json = "{\"kube_config_data\":42}";
        } else if (path.endsWith("/remove-infra")) {
            json = "{\"cluster_config\":42}";
        } else if (path.equals("/create-cluster-infra")) {
            json = "{\"cluster_id\":\"mx-a\"}"; // the seed path names the cluster in the body
        } else {
            json = "{}";
        }
        return json.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void everyRouteHasARow() {
        TreeSet<String> served = new TreeSet<>(server.cp.routes());
        TreeSet<String> missing = new TreeSet<>(served);
        missing.removeAll(ROWS.keySet());
        TreeSet<String> stale = new TreeSet<>(ROWS.keySet());
        stale.removeAll(served);
        assertThat(missing)
                .as("routes without a row in the authorization matrix")
                .isEmpty();
        assertThat(stale).as("rows for routes the server does not serve").isEmpty();
    }

    @Test
    void everyCallerGetsTheExpectedAnswerOnEveryRoute() {
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (String route : server.cp.routes()) {
            Access access = ROWS.get(route);
            if (access == null) {
                continue; // reported by everyRouteHasARow
            }
            String method = route.substring(0, route.indexOf(' '));
            String path = route.substring(route.indexOf(' ') + 1);
            for (Caller caller : List.of(
                    Caller.ANONYMOUS,
                    Caller.OTHER_AGENT,
                    Caller.AGENT,
                    Caller.OTHER_OWNER,
                    Caller.OWNER,
                    Caller.ADMIN)) {
                ensureWorld();
                String url = concrete(path);
                Answer a = server.send(method, url, body(method, path), TOKENS.get(caller));
                checked++;
                String problem = judge(access, caller, a.status());
                if (problem != null) {
                    wrong.add(route + " as " + caller + ": " + a.status() + " (" + problem + ") "
                            + (a.body() == null
                                    ? ""
                                    : a.body().path("error").path("message").asString()));
                }
            }
        }
        assertThat(wrong).as("checked " + checked + " calls").isEmpty();
        assertThat(checked).isGreaterThanOrEqualTo(6 * ROWS.size());
    }

    /** Null when {@code status} is what {@code caller} should get on a route with {@code access}; else why not. */
    static String judge(Access access, Caller caller, int status) {
        if (access == Access.PUBLIC) {
            return status == 200 ? null : "expected 200";
        }
        if (access == Access.BOOTSTRAP) {
            return status == 401 ? null : "expected 401: no bootstrap token was given";
        }
        if (caller == Caller.ANONYMOUS) {
            return status == 401 ? null : "expected 401";
        }
        boolean agent = caller == Caller.AGENT || caller == Caller.OTHER_AGENT;
        switch (access) {
            case ANYONE:
                return allowed(status);
            case PULL_AGENT:
                return status == 403 ? null : "expected 403: a pull agent's route";
            case SELF:
                return caller == Caller.OWNER || caller == Caller.ADMIN
                        ? allowed(status)
                        : status == 403 ? null : "expected 403";
            case AGENT_OF:
                return caller == Caller.AGENT ? allowed(status) : status == 403 ? null : "expected 403";
            case USER:
                return agent ? (status == 403 ? null : "expected 403") : allowed(status);
            case ADMIN:
                return caller == Caller.ADMIN ? allowed(status) : status == 403 ? null : "expected 403";
            case OWNED:
                if (agent) {
                    return status == 403 ? null : "expected 403";
                }
                if (caller == Caller.OTHER_OWNER) {
                    return status == 404 ? null : "expected 404: another owner's resource is invisible";
                }
                return allowed(status);
            default:
                return "no rule";
        }
    }

    /** Every resource a row names exists when it is called ({@link #ensureWorld}): 404 is not an allowed answer. */
    static String allowed(int status) {
        if (status == 401 || status == 403) {
            return "expected to be allowed";
        }
        if (status == 404) {
            return "expected to be allowed (the resource exists)";
        }
        return status >= 500 ? "server error" : null;
    }
}
