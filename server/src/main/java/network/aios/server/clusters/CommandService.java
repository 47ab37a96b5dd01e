package network.aios.server.clusters;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import network.aios.api.FieldError;
import network.aios.api.Grant;
import network.aios.api.Json;
import network.aios.api.Names;
import network.aios.server.auth.Principal;
import network.aios.server.domain.DomainException;
import network.aios.server.security.GrantSigner;
import network.aios.store.AuditStore;
import network.aios.store.ClusterRecord;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Management commands for a cluster's nodes and blocks, decided here: the caller must see the cluster,
 * the command and its arguments are checked, the decision is audited, and the answer is a grant the
 * cluster's mgmt agent carries out. The caller's network token never travels to the member cluster.
 */
public final class CommandService {
    /** What a grant may allow; {@code history} reads the agent's recent commands. */
    public static final List<String> COMMANDS =
            List.of("cordon", "uncordon", "drain", "relabel", "refresh", "block", "history");

    private static final String MGMT_URL = "mgmtService";

    private final ClusterService clusters;
    private final GrantSigner signer;
    private final String agentCaPem;
    private final AuditStore audit;
    private final network.aios.server.quotas.QuotaService quotas;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public CommandService(
            ClusterService clusters,
            GrantSigner signer,
            String agentCaPem,
            AuditStore audit,
            Clock clock,
            network.aios.server.quotas.QuotaService quotas) {
        this.quotas = quotas;
        this.agentCaPem = agentCaPem;
        this.clusters = clusters;
        this.signer = signer;
        this.audit = audit;
        this.clock = clock;
    }

    /** The largest {@code body} a {@code block} command may carry (JSON, in the grant and the audit log). */
    static final int MAX_BODY_BYTES = 4096;

    /** A signed grant for {@code request} ({command, node?, nodeId?, blockId?, path?, method?, body?}). */
    public ObjectNode grant(Principal who, String clusterId, JsonNode request) {
        ClusterRecord cluster = clusters.get(who, clusterId); // first: another owner's cluster is a 404
        ObjectNode args = checked(request);
        quotas.takeCommand(who); // a valid request, counted: a refused one costs no grant
        Instant now = clock.instant();
        byte[] n = new byte[16];
        random.nextBytes(n);
        ObjectNode payload = Json.object()
                .put("v", 1)
                .put("cluster", clusterId)
                .put("inc", network.aios.api.Incarnation.of(cluster.createdAt())) // this registration only
                .put("by", who.name())
                .put("nonce", HexFormat.of().formatHex(n))
                .put("iat", now.getEpochSecond())
                .put("exp", now.plus(Grant.VALIDITY).getEpochSecond());
        payload.set("args", args);
        String grant = signer.sign(payload);
        audit.record(
                now,
                who.name(),
                "command.grant",
                clusterId,
                Json.MAPPER.writeValueAsString(Json.object()
                        .put("command", args.path("command").asString())
                        .put("nonce", payload.path("nonce").asString())
                        .set("args", args)));
        ObjectNode out = Json.object()
                .put("grant", grant)
                .put("command", args.path("command").asString())
                .put(
                        "expiresAt",
                        Instant.ofEpochSecond(payload.path("exp").asLong()).toString());
        // how the caller knows the agent is this cluster's: its certificate chains to the agent CA and names it
        out.put("agentIdentity", network.aios.tls.AgentCa.identity(clusterId, cluster.createdAt()))
                .put("agentCa", agentCaPem);
        JsonNode url = cluster.document().at("/config/urlMap/" + MGMT_URL);
        if (url.isString()) {
            out.put("agentUrl", url.asString().replaceAll("/+$", "") + "/commands");
        } else {
            out.putNull("agentUrl");
            out.put("note", "the cluster has no infrastructure yet: its mgmt agent is not running");
        }
        return out;
    }

    private static ObjectNode checked(JsonNode r) {
        List<FieldError> errors = new ArrayList<>();
        String command = r.path("command").asString(null);
        if (command == null || !COMMANDS.contains(command)) {
            throw DomainException.invalid(
                    List.of(new FieldError("/command", "must be one of " + String.join(", ", COMMANDS))));
        }
        ObjectNode args = Json.object().put("command", command);
        switch (command) {
            case "cordon", "uncordon", "drain" -> label(r, "node", errors, args);
            case "relabel" -> {
                label(r, "node", errors, args);
                label(r, "nodeId", errors, args);
            }
            case "block" -> {
                label(r, "blockId", errors, args);
                String path = r.path("path").asString("/");
                if (!path.matches("/[A-Za-z0-9._~/-]{0,199}") || path.contains("..")) {
                    errors.add(new FieldError(
                            "/path",
                            "must be a URL path on the block ('/' then letters, digits, " + "._~-/; no '..')"));
                }
                String method = r.path("method").asString("POST");
                if (!List.of("GET", "POST", "PUT", "DELETE").contains(method)) {
                    errors.add(new FieldError("/method", "must be GET, POST, PUT or DELETE"));
                }
                args.put("path", path).put("method", method);
                if (r.has("body")) {
                    // it travels in the grant and is audited: small, like a command's arguments
                    int size = Json.MAPPER.writeValueAsBytes(r.get("body")).length;
                    if (size > MAX_BODY_BYTES) {
                        errors.add(new FieldError(
                                "/body",
                                "must be at most " + MAX_BODY_BYTES + " bytes as JSON (got " + size
                                        + "): a grant carries a command, not a payload; send data to the block"
                                        + " itself"));
                    } else {
                        args.set("body", r.get("body"));
                    }
                }
            }
            default -> {}
        }
        if (!errors.isEmpty()) {
            throw DomainException.invalid(errors);
        }
        return args;
    }

    private static void label(JsonNode r, String field, List<FieldError> errors, ObjectNode args) {
        JsonNode v = r.get(field);
        if (v == null || !v.isString() || !Names.isDns1123Label(v.asString())) {
            errors.add(new FieldError("/" + field, "is required: a node id or block id (DNS-1123 label)"));
        } else {
            args.put(field, v.asString());
        }
    }
}
