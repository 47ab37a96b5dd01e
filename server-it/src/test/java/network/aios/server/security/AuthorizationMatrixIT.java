package network.aios.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import network.aios.server.TestServer;
import network.aios.server.TestServer.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every route the server serves × every kind of caller → the expected answer, generated from the
 * server's own route table: a route without a row here fails the test, so a new route cannot ship
 * without deciding who may call it. Bodies are empty objects on purpose: authorization must come before
 * validation, so another owner gets 404 for a cluster whatever is wrong with the request.
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
        /** as OWNED, but the route may also answer 404 for a sub-resource that does not exist yet */
        OWNED_SUB,
        /** the resource's cluster's agent only */
        AGENT_OF,
        /** the owner it names (A) and the admin; another owner and agents get 403 */
        SELF
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
        ROWS.put("GET /api/v1/clusters/{id}/infra", Access.OWNED_SUB);
        ROWS.put("GET /api/v1/clusters/{id}/infra/manifests", Access.OWNED);
        ROWS.put("POST /api/v1/clusters/{id}/preflight", Access.OWNED);
        ROWS.put("GET /api/v1/jobs/{id}", Access.OWNED_SUB);
        // the cluster's own view
        ROWS.put("POST /api/v1/clusters/{id}/heartbeat", Access.AGENT_OF);
        ROWS.put("POST /api/v1/clusters/{id}/metrics", Access.AGENT_OF);
        ROWS.put("POST /api/v1/clusters/{id}/audit", Access.AGENT_OF);
        ROWS.put("GET /api/v1/clusters/{id}/health", Access.OWNED);
        ROWS.put("GET /api/v1/clusters/{id}/metrics", Access.OWNED_SUB);
        ROWS.put("GET /api/v1/clusters/{id}/metrics/nodes/{nodeId}", Access.OWNED_SUB);
        ROWS.put("GET /cluster-metrics/{clusterId}", Access.OWNED_SUB);
        ROWS.put("GET /cluster-metrics/node/{clusterId}/{nodeId}", Access.OWNED_SUB);
        ROWS.put("POST /api/v1/clusters/{id}/routes", Access.OWNED);
        ROWS.put("POST /api/v1/clusters/{id}/commands", Access.OWNED);
        ROWS.put("GET /api/v1/agent-ca", Access.USER);
        ROWS.put("GET /api/v1/clusters/{id}/routes", Access.OWNED);
        ROWS.put("DELETE /api/v1/clusters/{id}/routes/{kind}/{routeId}", Access.OWNED_SUB);
        // add-ons
        for (String kind :
                List.of("/container_registry", "/asset_registry", "/inference_server", "/executor", "/split-runner")) {
            ROWS.put("POST " + kind, Access.USER);
            ROWS.put("GET " + kind, Access.USER);
            // no split runner is registered here (registering one deploys it onto a member cluster): 404 is fine
            Access one = kind.equals("/split-runner") ? Access.OWNED_SUB : Access.OWNED;
            ROWS.put("GET " + kind + "/{id}", one);
            ROWS.put("PUT " + kind + "/{id}", one);
            ROWS.put("DELETE " + kind + "/{id}", one);
        }
        ROWS.put("POST /inference_server/{id}/route", Access.OWNED);
        ROWS.put("GET /inference_server/{id}/route", Access.OWNED_SUB);
        ROWS.put("DELETE /inference_server/{id}/route", Access.OWNED_SUB);
        ROWS.put("POST /executor/{id}/create-infra", Access.OWNED);
        ROWS.put("DELETE /executor/{id}/remove-infra", Access.OWNED);
        ROWS.put("POST /split-runner/{id}/create-infra", Access.OWNED_SUB);
        ROWS.put("DELETE /split-runner/{id}/remove-infra", Access.OWNED_SUB);
        ROWS.put("GET /executor/{id}/infra", Access.OWNED);
        ROWS.put("GET /split-runner/{id}/infra", Access.OWNED_SUB);
    }

    static TestServer server;
    static final Map<Caller, String> TOKENS = new LinkedHashMap<>();

    @BeforeAll
    static void start() {
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
    static void stop() {
        server.close();
    }

    /** What A owns, (re)created before each call so destructive routes don't change later answers. */
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
                "{\"inference_server_name\":\"mx-inf\",\"inference_server_public_url\":" + "\"http://10.0.0.7:8000\"}",
                a);
        server.post("/executor", "{\"executor_id\":\"mx-exec\",\"cluster_id\":\"mx-a\"}", a);
        server.post("/api/v1/tokens", "{\"name\":\"mx-victim\",\"role\":\"owner\"}", server.adminToken);
        // A's own quotas exist (deleting them is a destructive route)
        server.send(
                "PUT", "/api/v1/quotas/alice", "{\"clusters\":50}".getBytes(StandardCharsets.UTF_8), server.adminToken);
        // deleting a cluster revokes its agents' credentials: mint them again
        TOKENS.put(Caller.AGENT, server.cp.tokens().issueAgent("mx-a", "test").token());
        TOKENS.put(
                Caller.OTHER_AGENT,
                server.cp.tokens().issueAgent("mx-b", "test").token());
    }

    /** The id of A's add-on of a kind (registries get server-assigned ids). */
    static String addonId(String kindPath) {
        if (kindPath.equals("/executor")) {
            return "mx-exec";
        }
        if (kindPath.equals("/split-runner")) {
            return "mx-runner"; // never registered: deploying one needs a member cluster
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
        return p.replace("{id}", p.startsWith("/api/v1/jobs/") ? "job-none" : "mx-a")
                .replace("{clusterId}", "mx-a")
                .replace("{nodeId}", "node-1")
                .replace("{action}", "add_cluster")
                .replace("{version}", "1")
                .replace("{name}", "mx-victim")
                .replace("{kind}", "task")
                .replace("{routeId}", "none")
                .replace("{owner}", "alice");
    }

    static byte[] body(String method, String path) {
        if (method.equals("GET")) {
            return null;
        }
        // the seed paths name the cluster in the body; everything else gets an empty object
        String json = path.equals("/create-cluster-infra") || path.equals("/remove-cluster-infra")
                ? "{\"cluster_id\":\"mx-a\"}"
                : "{}";
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
        if (caller == Caller.ANONYMOUS) {
            return status == 401 ? null : "expected 401";
        }
        boolean agent = caller == Caller.AGENT || caller == Caller.OTHER_AGENT;
        switch (access) {
            case ANYONE:
                return allowed(status, false);
            case SELF:
                return caller == Caller.OWNER || caller == Caller.ADMIN
                        ? allowed(status, false)
                        : status == 403 ? null : "expected 403";
            case AGENT_OF:
                return caller == Caller.AGENT ? allowed(status, false) : status == 403 ? null : "expected 403";
            case USER:
                return agent ? (status == 403 ? null : "expected 403") : allowed(status, false);
            case ADMIN:
                return caller == Caller.ADMIN ? allowed(status, false) : status == 403 ? null : "expected 403";
            case OWNED:
            case OWNED_SUB:
                if (agent) {
                    return status == 403 ? null : "expected 403";
                }
                if (caller == Caller.OTHER_OWNER) {
                    return status == 404 ? null : "expected 404: another owner's resource is invisible";
                }
                return allowed(status, access == Access.OWNED_SUB);
            default:
                return "no rule";
        }
    }

    static String allowed(int status, boolean may404) {
        if (status == 401 || status == 403) {
            return "expected to be allowed";
        }
        if (status == 404 && !may404) {
            return "expected to be allowed (the resource exists)";
        }
        return status >= 500 ? "server error" : null;
    }
}
