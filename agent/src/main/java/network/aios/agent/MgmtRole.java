package network.aios.agent;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import network.aios.api.Grant;
import network.aios.api.Json;
import network.aios.api.Names;
import network.aios.member.NodeInventory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Management commands for the cluster and its blocks (32303, {@code /mgmt}): {@code POST /commands}
 * carries out what a grant from the control plane allows: cordon, uncordon, drain (evictions, so
 * disruption budgets hold), relabel (a node's {@code nodeID}), refresh (re-send the inventory now), block
 * (forwarded to the block's endpoint); {@code GET /commands} (a "history" grant) lists the latest. The
 * control plane decided who may (the cluster's owner or the admin) and signed the grant; this role checks
 * the signature, the cluster, the validity and that the grant is used once, and audits the result there.
 */
final class MgmtRole implements Role {
    private static final Logger LOG = LoggerFactory.getLogger(MgmtRole.class);
    static final List<String> COMMANDS = List.of("cordon", "uncordon", "drain", "relabel", "refresh", "block");
    /** A Service of a block may say where its endpoint is; otherwise the cluster DNS name is used. */
    static final String BLOCK_ENDPOINT_ANNOTATION = "aios.network/block-endpoint";

    private final AgentContext agent;
    private final okhttp3.OkHttpClient http;
    /** Nonces of grants already carried out, until they expire (a grant works once). */
    private final Map<String, Instant> used = new ConcurrentHashMap<>();

    private final java.security.PublicKey grantKey;
    /** Which registration this agent serves, as its serving certificate names it (null without TLS: development). */
    private final String incarnation;
    /** Grants issued before this run are refused: which of them were used went with the last run's memory. */
    private final Instant started;

    private final List<ObjectNode> recent = new CopyOnWriteArrayList<>();

    MgmtRole(AgentContext agent) {
        this.agent = agent;
        this.started = agent.clock().instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        this.incarnation = agent.config().tls() ? incarnation(agent.config().tlsCert()) : null;
        this.grantKey =
                agent.config().grantKey() == null || agent.config().grantKey().isBlank()
                        ? null
                        : Grant.publicKey(agent.config().grantKey());
        // a block's endpoint is named by whoever can annotate its Service: forwarded only through the guard
        this.http = network.aios.egress.EgressGuard.of(
                        agent.config().egressAllow(), () -> agent.config().port())
                .client()
                .connectTimeout(Duration.ofSeconds(5))
                .callTimeout(Duration.ofSeconds(30))
                .build();
    }

    @Override
    public void start() {}

    @Override
    public void routes(RoutesConfig r) {
        r.get(
                "/",
                ctx -> Web.json(
                        ctx, Json.object().put("role", "mgmt").set("commands", Json.MAPPER.valueToTree(COMMANDS))));
        r.post("/commands", this::command);
        r.get("/commands", ctx -> {
            Optional<JsonNode> grant = granted(ctx);
            if (grant.isEmpty()) {
                return;
            }
            if (!"history".equals(grant.get().at("/args/command").asString())) {
                Web.fail(ctx, 403, "forbidden", "/command", "reading the command history needs a 'history' grant");
                return;
            }
            ObjectNode out = Json.object();
            out.putArray("items").addAll(recent);
            Web.json(ctx, out);
        });
    }

    /**
     * The grant the caller presents ({@code Authorization: Grant <grant>}), checked: signed by the control
     * plane's key, for this cluster, within its validity, not used before. Network tokens are not accepted
     * here: the member cluster's admin can read this agent's traffic, so nothing that works elsewhere may
     * pass through it.
     */
    private Optional<JsonNode> granted(Context ctx) {
        String h = ctx.header("Authorization");
        if (h == null || !h.regionMatches(true, 0, "Grant ", 0, 6)) {
            Web.fail(
                    ctx,
                    401,
                    "grant_required",
                    "",
                    "present a grant from the control plane "
                            + "(Authorization: Grant <grant>): aios cluster cordon|uncordon|drain|relabel|refresh|block, or "
                            + "POST /api/v1/clusters/" + agent.config().clusterId()
                            + "/commands; network tokens are not "
                            + "accepted by agents");
            return Optional.empty();
        }
        if (grantKey == null) {
            Web.fail(
                    ctx,
                    503,
                    "no_grant_key",
                    "",
                    "this agent has no grant key (AIOS_CONTROL_PLANE_GRANT_KEY in "
                            + "ConfigMap aios-cluster): create the cluster's infrastructure again to publish it");
            return Optional.empty();
        }
        Instant now = agent.clock().instant();
        JsonNode payload;
        try {
            payload = Grant.verify(
                    h.substring(6).trim(), grantKey, agent.config().clusterId(), incarnation, started, now);
        } catch (Grant.Rejected e) {
            Web.fail(ctx, 401, "grant_rejected", "", e.getMessage());
            return Optional.empty();
        }
        used.values().removeIf(exp -> exp.plus(Grant.SKEW).isBefore(now));
        if (used.putIfAbsent(
                        payload.path("nonce").asString(),
                        Instant.ofEpochSecond(payload.path("exp").asLong()))
                != null) {
            Web.fail(ctx, 409, "grant_used", "", "this grant was used already: ask the control plane for another");
            return Optional.empty();
        }
        return Optional.of(payload);
    }

    private static String incarnation(java.nio.file.Path certificate) {
        try {
            return network.aios.tls.AgentCa.incarnationOf(java.nio.file.Files.readString(certificate));
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** Carries out the command a grant allows; its arguments come from the grant, not from the body. */
    private void command(Context ctx) {
        Optional<JsonNode> grant = granted(ctx);
        if (grant.isEmpty()) {
            return;
        }
        Optional<String> who = Optional.of(grant.get().path("by").asString("?"));
        JsonNode body = grant.get().path("args");
        String command = body.path("command").asString(null);
        if (command == null || !COMMANDS.contains(command)) {
            Web.fail(ctx, 400, "unknown_command", "/command", "must be one of " + String.join(", ", COMMANDS));
            return;
        }
        int status;
        ObjectNode result;
        try {
            result = switch (command) {
                case "cordon", "uncordon" -> cordon(body, "cordon".equals(command));
                case "drain" -> drain(body);
                case "relabel" -> relabel(body);
                case "refresh" -> refresh();
                default -> block(body);
            };
            status = result.has("error") ? result.at("/error/status").asInt() : 200;
        } catch (KubernetesClientException e) {
            status = 502;
            result = Web.error(
                    502,
                    "cluster_api_failed",
                    "",
                    "the API server answered " + e.getCode() + ": "
                            + (e.getStatus() == null
                                    ? e.getMessage()
                                    : e.getStatus().getMessage()));
        }
        ObjectNode record = Json.object()
                .put("at", agent.clock().instant().toString())
                .put("by", who.get())
                .put("command", command)
                .put("status", status);
        record.set("request", body);
        record.set("result", result);
        recent.add(record);
        while (recent.size() > 200) {
            recent.remove(0);
        }
        audit(record);
        Web.json(ctx, status, result);
    }

    private Optional<Node> node(String nodeId) {
        return agent.kube().nodes().withLabel(NodeInventory.NODE_ID_LABEL, nodeId).list().getItems().stream()
                .findFirst();
    }

    private ObjectNode cordon(JsonNode body, boolean cordon) {
        String nodeId = body.path("node").asString(null);
        Optional<Node> n = nodeId == null ? Optional.empty() : node(nodeId);
        if (n.isEmpty()) {
            return Web.error(404, "node_not_found", "/node", "no node labelled nodeID=" + nodeId);
        }
        agent.kube().nodes().withName(n.get().getMetadata().getName()).edit(x -> {
            x.getSpec().setUnschedulable(cordon ? Boolean.TRUE : null);
            return x;
        });
        return Json.object()
                .put("command", cordon ? "cordon" : "uncordon")
                .put("node", nodeId)
                .put("nodeName", n.get().getMetadata().getName())
                .put("unschedulable", cordon);
    }

    /** Cordon, then evict every pod on the node but DaemonSet pods and mirror pods; what could not go is listed. */
    private ObjectNode drain(JsonNode body) {
        ObjectNode cordoned = cordon(body, true);
        if (cordoned.has("error")) {
            return cordoned;
        }
        String nodeName = cordoned.get("nodeName").asString();
        ObjectNode out = Json.object()
                .put("command", "drain")
                .put("node", cordoned.get("node").asString())
                .put("nodeName", nodeName);
        ArrayNode evicted = out.putArray("evicted");
        ArrayNode skipped = out.putArray("skipped");
        ArrayNode blocked = out.putArray("blocked");
        for (Pod p : agent.kube()
                .pods()
                .inAnyNamespace()
                .withField("spec.nodeName", nodeName)
                .list()
                .getItems()) {
            String name = p.getMetadata().getNamespace() + "/" + p.getMetadata().getName();
            boolean daemon = p.getMetadata().getOwnerReferences() != null
                    && p.getMetadata().getOwnerReferences().stream().anyMatch(o -> "DaemonSet".equals(o.getKind()));
            boolean mirror = p.getMetadata().getAnnotations() != null
                    && p.getMetadata().getAnnotations().containsKey("kubernetes.io/config.mirror");
            if (daemon || mirror) {
                skipped.add(name);
            } else if (agent.kube()
                    .pods()
                    .inNamespace(p.getMetadata().getNamespace())
                    .withName(p.getMetadata().getName())
                    .evict()) {
                evicted.add(name);
            } else {
                blocked.add(name); // a disruption budget said no: retry the drain later
            }
        }
        return out;
    }

    private ObjectNode relabel(JsonNode body) {
        String nodeId = body.path("node").asString(null);
        String to = body.path("nodeId").asString(null);
        if (to == null || !Names.isDns1123Label(to)) {
            return Web.error(400, "bad_request", "/nodeId", "the new nodeID must be a DNS-1123 label");
        }
        Optional<Node> n = nodeId == null ? Optional.empty() : node(nodeId);
        if (n.isEmpty()) {
            return Web.error(404, "node_not_found", "/node", "no node labelled nodeID=" + nodeId);
        }
        if (!to.equals(nodeId) && node(to).isPresent()) {
            return Web.error(409, "conflict", "/nodeId", "another node is labelled nodeID=" + to + " already");
        }
        agent.kube().nodes().withName(n.get().getMetadata().getName()).edit(x -> {
            x.getMetadata().getLabels().put(NodeInventory.NODE_ID_LABEL, to);
            return x;
        });
        return Json.object()
                .put("command", "relabel")
                .put("nodeName", n.get().getMetadata().getName())
                .put("from", nodeId)
                .put("to", to)
                .put(
                        "note",
                        "the cluster document lists node ids: update it too, or the cluster shows InventoryVerified=False");
    }

    /** Reads the nodes now and sends the control plane a heartbeat with them. */
    private ObjectNode refresh() {
        var inventory = NodeInventory.of(agent.kube().nodes().list().getItems());
        ObjectNode beat = Json.object();
        beat.putObject("agent").put("role", "mgmt").put("version", AgentMain.VERSION);
        beat.set("inventory", Json.MAPPER.valueToTree(inventory));
        try {
            ControlPlaneClient.Answer a = agent.controlPlane()
                    .post("/api/v1/clusters/" + agent.config().clusterId() + "/heartbeat", beat);
            ObjectNode out = Json.object()
                    .put("command", "refresh")
                    .put("nodes", inventory.nodes().size())
                    .put("controlPlaneStatus", a.status());
            if (a.status() == 200) {
                JsonNode answer = Json.MAPPER.readTree(a.body());
                out.put("inventoryVerified", answer.path("inventoryVerified").asBoolean());
                out.set("drift", answer.path("drift"));
            }
            return out;
        } catch (java.io.IOException e) {
            return Web.error(
                    502,
                    "control_plane_unreachable",
                    "",
                    "the inventory was read but the control plane did not " + "answer");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Web.error(503, "interrupted", "", "interrupted");
        }
    }

    /** Forwards {@code {blockId, path, method?, body?}} to the block's Service. */
    private ObjectNode block(JsonNode body) {
        String blockId = body.path("blockId").asString(null);
        String path = body.path("path").asString("/");
        String method = body.path("method").asString("POST");
        if (blockId == null || !Names.isDns1123Label(blockId)) {
            return Web.error(400, "bad_request", "/blockId", "must be a block id");
        }
        if (!path.startsWith("/")
                || path.contains("..")
                || !List.of("GET", "POST", "PUT", "DELETE").contains(method)) {
            return Web.error(
                    400,
                    "bad_request",
                    "/path",
                    "path must start with '/' (no '..'); method GET, POST, PUT or " + "DELETE");
        }
        List<Service> services = agent.kube()
                .services()
                .inAnyNamespace()
                .withLabel(BlocksRole.BLOCK_LABEL, blockId)
                .list()
                .getItems();
        if (services.isEmpty()) {
            return Web.error(
                    404,
                    "block_not_found",
                    "/blockId",
                    "no Service labelled " + BlocksRole.BLOCK_LABEL + "=" + blockId);
        }
        Service s = services.get(0);
        String base = s.getMetadata().getAnnotations() != null
                        && s.getMetadata().getAnnotations().get(BLOCK_ENDPOINT_ANNOTATION) != null
                ? s.getMetadata().getAnnotations().get(BLOCK_ENDPOINT_ANNOTATION)
                : "http://" + s.getMetadata().getName() + "." + s.getMetadata().getNamespace() + ".svc:"
                        + s.getSpec().getPorts().get(0).getPort();
        String url = base.replaceAll("/+$", "") + path;
        byte[] payload = body.has("body") ? Json.MAPPER.writeValueAsBytes(body.get("body")) : new byte[0];
        // GET and DELETE carry no body; POST and PUT always one (possibly empty)
        okhttp3.RequestBody rb = method.equals("GET") || method.equals("DELETE")
                ? null
                : okhttp3.RequestBody.create(payload, okhttp3.MediaType.get("application/json"));
        okhttp3.Request request;
        try {
            request = new okhttp3.Request.Builder().url(url).method(method, rb).build();
        } catch (IllegalArgumentException e) {
            return Web.error(400, "bad_request", "/blockId", "block " + blockId + "'s endpoint is not an http(s) URL");
        }
        try (okhttp3.Response r = http.newCall(request).execute()) {
            String answer = r.body().string();
            ObjectNode out = Json.object()
                    .put("command", "block")
                    .put("blockId", blockId)
                    .put("forwardedTo", url)
                    .put("blockStatus", r.code());
            try {
                out.set("blockAnswer", Json.MAPPER.readTree(answer));
            } catch (RuntimeException notJson) {
                out.put("blockAnswer", answer);
            }
            return out;
        } catch (java.io.IOException e) {
            return network.aios.egress.EgressRefusedException.in(e)
                    .map(x -> Web.error(
                            403,
                            "egress_refused",
                            "/blockId",
                            "block " + blockId + "'s endpoint is refused: " + x.reason()))
                    .orElseGet(() -> Web.error(
                            502, "block_unreachable", "/blockId", "block " + blockId + " did not answer at " + url));
        }
    }

    /** The command, who gave it and what came of it, in the control plane's audit log. */
    private void audit(ObjectNode record) {
        try {
            ControlPlaneClient.Answer a = agent.controlPlane()
                    .post("/api/v1/clusters/" + agent.config().clusterId() + "/audit", record);
            if (a.status() >= 300) {
                LOG.warn(
                        "audit of {} refused by the control plane: HTTP {}",
                        record.path("command").asString(),
                        a.status());
            }
        } catch (java.io.IOException e) {
            LOG.warn(
                    "audit of {} not delivered: the control plane did not answer",
                    record.path("command").asString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {}
}
