package network.aios.server.nodes;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import network.aios.api.ClusterDocument;
import network.aios.api.FieldError;
import network.aios.api.Json;
import network.aios.api.NodeChange;
import network.aios.member.desired.NodeJoin;
import network.aios.policy.PolicyAction;
import network.aios.server.auth.Principal;
import network.aios.server.clusters.ClusterService;
import network.aios.server.clusters.ClusterView;
import network.aios.server.domain.DomainException;
import network.aios.server.policy.PolicyService;
import network.aios.server.security.SecretBox;
import network.aios.store.ClusterRecord;
import network.aios.store.NodeJoinRecord;
import network.aios.store.NodeJoinStore;
import network.aios.store.Sealed;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * External node joins, as their owners ask for them: a kubeadm bootstrap token for one declared node (the shape
 * of a {@code /nodes/nodeData} entry) that the {@code add_node} policy admitted, on a cluster whose document allows
 * external nodes. The token is returned once, in the whole {@code kubeadm join} command, and kept only sealed; the
 * bootstrap Secret made of it is put on the cluster by whoever applies that cluster's desired state (the engine
 * in push mode, the agent in pull mode) and deleted once the node has joined or the token expired.
 */
public final class NodeJoinService {
    /** Tokens in flight one cluster may have at once. */
    public static final int MAX_OPEN_PER_CLUSTER = 10;

    public static final Duration DEFAULT_TTL = Duration.ofHours(1);
    public static final Duration MIN_TTL = Duration.ofMinutes(1);
    /** kubeadm's own default lifetime, and the longest here. */
    public static final Duration MAX_TTL = Duration.ofHours(24);

    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    /** How a cluster's side of a join is reached: its mode, where its nodes join, and who applies its tokens. */
    public interface Member {
        /**
         * Where external nodes join this cluster (from its {@code kube-public/cluster-info}); empty when it has no
         * AIOS infrastructure to read it with, or none is known.
         */
        Optional<NodeJoin.ClusterInfo> clusterInfo(Principal who, String clusterId);

        /** Whether the cluster has AIOS infrastructure that can put a token on it (push or pull). */
        boolean canApply(String clusterId);

        /** The cluster's wanted tokens changed: apply them soon. */
        void tokensChanged(String clusterId);
    }

    private final ClusterService clusters;
    private final NodeJoinStore store;
    private final NodeAdmission admission;
    private final SecretBox box;
    private final Member member;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public NodeJoinService(
            ClusterService clusters,
            NodeJoinStore store,
            PolicyService policies,
            SecretBox box,
            Member member,
            Clock clock) {
        this.clusters = clusters;
        this.store = store;
        this.admission = new NodeAdmission(policies);
        this.box = box;
        this.member = member;
        this.clock = clock;
    }

    /**
     * Issues a token for {@code body.node} ({@code {"node": {...}, "ttlSeconds": n}}): checks the node, asks the
     * add_node policy, and (unless {@code dryRun}) stores the join and has the token applied. The answer names
     * the whole join command once.
     */
    public ObjectNode issue(Principal who, String clusterId, JsonNode body, boolean dryRun) {
        ClusterRecord cluster = clusters.get(who, clusterId);
        ClusterDocument doc = ClusterDocument.of(cluster.document());
        if (!doc.allowsExternalNodes()) {
            throw new DomainException(
                    DomainException.Kind.CONFLICT,
                    "external_nodes_not_allowed",
                    "cluster '" + clusterId + "' does not allow external nodes (config.allowExternalNodes is not true)",
                    List.of(new FieldError("/config/allowExternalNodes", "must be true for a node to join")),
                    "set it in the document (aios cluster apply), then create the infrastructure again with your"
                            + " kubeconfig: that grants the node-join rights (docs/RBAC.md)");
        }
        List<FieldError> errors = new ArrayList<>();
        JsonNode node = body.get("node");
        Duration ttl = ttl(body, errors);
        NodeChange.Result grown = null;
        if (node == null || !node.isObject()) {
            errors.add(new FieldError("/node", "is required: the joining node, shaped like a /nodes/nodeData entry"));
        } else {
            grown = NodeChange.add(ClusterView.ownersDocument(cluster), node, "/node");
            errors.addAll(grown.errors());
        }
        if (!errors.isEmpty()) {
            throw DomainException.invalid(errors);
        }
        String nodeId = node.path("id").asString();
        // judged as the document would be once every token in flight has its node, this one's too: ten tokens
        // issued at once cannot each pass a bound meant for the sum
        ObjectNode current = ClusterView.ownersDocument(cluster);
        ObjectNode prospective = current;
        for (NodeJoinRecord inFlight : store.list(clusterId, MAX_OPEN_PER_CLUSTER * 10)) {
            if (inFlight.state() == NodeJoinRecord.State.ISSUED
                    && inFlight.nodeId().equals(nodeId)) {
                throw taken(clusterId, nodeId);
            }
            if (inFlight.state() == NodeJoinRecord.State.ISSUED) {
                NodeChange.Result r = NodeChange.add(prospective, Json.parse(inFlight.node()), "/node");
                prospective = r.valid() ? r.document() : prospective;
            }
        }
        NodeChange.Result all = NodeChange.add(prospective, node, "/node");
        if (!all.valid()) {
            throw DomainException.invalid(all.errors()); // a token in flight for this node id: its pointer says so
        }
        NodeAdmission.Verdict verdict = admission.check(PolicyAction.ADD_NODE, all.document(), current, node);
        if (dryRun) {
            ObjectNode out = Json.object().put("dryRun", true).put("nodeId", nodeId);
            out.put("allowed", verdict.allowed());
            out.put("policy", verdict.action().wire());
            tools.jackson.databind.node.ArrayNode reasons = out.putArray("reasons");
            verdict.admission().decision().reasons().forEach(reasons::add);
            if (verdict.admission().version() == null) {
                out.putNull("policyVersion");
            } else {
                out.put("policyVersion", verdict.admission().version());
            }
            out.set("totals", totals(all.document()));
            return out;
        }
        PolicyService.enforce(verdict.action(), verdict.admission());
        if (!member.canApply(clusterId)) {
            throw new DomainException(
                    DomainException.Kind.CONFLICT,
                    "no_infrastructure",
                    "cluster '" + clusterId + "' has no AIOS infrastructure to put a join token on",
                    null,
                    "create it first (aios cluster infra create " + clusterId
                            + " --kubeconfig FILE, or aios cluster join)");
        }
        NodeJoin.ClusterInfo info = member.clusterInfo(who, clusterId)
                .orElseThrow(() -> new DomainException(
                        DomainException.Kind.CONFLICT,
                        "cluster_info_missing",
                        "cluster '" + clusterId + "' has no readable kube-public/cluster-info: no kubeadm join command"
                                + " can be made for it",
                        null,
                        "kubeadm init creates it (kubeadm init phase bootstrap-token); a pull cluster's agent reports"
                                + " it with its next report"));
        Instant now = clock.instant();
        String joinId = "nj-" + random(10);
        NodeJoin.Token token = new NodeJoin.Token(random(6), random(16));
        Sealed sealed = box.seal(
                token.value().getBytes(java.nio.charset.StandardCharsets.US_ASCII), NodeJoinRecord.sealContext(joinId));
        NodeJoinRecord record = new NodeJoinRecord(
                joinId,
                clusterId,
                nodeId,
                node.toString(),
                token.id(),
                sealed,
                verdict.action() == PolicyAction.ADD_NODE ? verdict.admission().version() : null,
                NodeJoinRecord.State.ISSUED,
                now.plus(ttl),
                who.name(),
                now,
                null,
                null,
                NodeJoinRecord.SecretState.PENDING,
                null,
                null);
        switch (store.insert(record, MAX_OPEN_PER_CLUSTER)) {
            case INSERTED -> {}
            case NO_CLUSTER -> throw DomainException.notFound("cluster '" + clusterId + "'");
            case NODE_TAKEN -> throw taken(clusterId, nodeId);
            case TOO_MANY ->
                throw new DomainException(
                        DomainException.Kind.TOO_MANY_REQUESTS,
                        "too_many_join_tokens",
                        "cluster '" + clusterId + "' has " + MAX_OPEN_PER_CLUSTER + " join tokens in flight",
                        null,
                        "revoke one, or wait for one to be used or to expire");
        }
        member.tokensChanged(clusterId);
        ObjectNode out = view(record);
        out.put("joinCommand", info.joinCommand(token));
        out.put("endpoint", info.endpoint());
        out.put("caCertHash", info.caCertHash());
        return out;
    }

    private static DomainException taken(String clusterId, String nodeId) {
        return DomainException.conflict("node '" + nodeId + "' of cluster '" + clusterId
                + "' has a join token in flight, or has joined, already (aios node join-tokens " + clusterId + ")");
    }

    /** A cluster's joins, newest first (never a token). */
    public List<ObjectNode> list(Principal who, String clusterId) {
        clusters.get(who, clusterId);
        return store.list(clusterId, 100).stream().map(NodeJoinService::view).toList();
    }

    /** One join (never its token). */
    public ObjectNode get(Principal who, String clusterId, String id) {
        clusters.get(who, clusterId);
        return view(store.get(clusterId, id)
                .orElseThrow(() -> DomainException.notFound("join token '" + id + "' of cluster '" + clusterId + "'")));
    }

    /** Revokes a token in flight; its Secret is deleted from the cluster next. */
    public ObjectNode revoke(Principal who, String clusterId, String id) {
        clusters.get(who, clusterId);
        NodeJoinRecord j = store.get(clusterId, id)
                .orElseThrow(() -> DomainException.notFound("join token '" + id + "' of cluster '" + clusterId + "'"));
        NodeJoinRecord revoked = store.revoke(clusterId, id, who.name(), clock.instant())
                .orElseThrow(() -> DomainException.conflict("join token '" + id + "' is "
                        + j.state().wire() + ", not in flight: there is nothing to revoke"));
        member.tokensChanged(clusterId);
        return view(revoked);
    }

    /** A join as the API shows it: where it stands and where its Secret stands, never the token's secret part. */
    public static ObjectNode view(NodeJoinRecord j) {
        ObjectNode out = Json.object()
                .put("id", j.id())
                .put("clusterId", j.clusterId())
                .put("nodeId", j.nodeId())
                .put("tokenId", j.tokenId())
                .put("state", j.state().wire())
                .put("expiresAt", j.expiresAt().toString())
                .put("createdBy", j.createdBy())
                .put("createdAt", j.createdAt().toString())
                .put("secret", j.secretState().wire())
                // usable: issued, and its Secret is on the cluster
                .put(
                        "ready",
                        j.state() == NodeJoinRecord.State.ISSUED
                                && j.secretState() == NodeJoinRecord.SecretState.CREATED);
        if (j.endedAt() != null) {
            out.put("endedAt", j.endedAt().toString());
        }
        if (j.note() != null) {
            out.put("note", j.note());
        }
        out.set("node", Json.parse(j.node()));
        return out;
    }

    private static ObjectNode totals(JsonNode doc) {
        ObjectNode t = Json.object();
        t.put("nodes", doc.at("/nodes/count").asInt());
        t.put("gpus", doc.at("/gpus/count").asInt());
        t.put("vcpus", doc.at("/vcpus/count").asInt());
        t.put("memory", doc.at("/memory").asLong());
        return t;
    }

    private static Duration ttl(JsonNode body, List<FieldError> errors) {
        JsonNode t = body.get("ttlSeconds");
        if (t == null || t.isNull()) {
            return DEFAULT_TTL;
        }
        if (!t.isIntegralNumber()
                || !t.canConvertToLong()
                || t.longValue() < MIN_TTL.toSeconds()
                || t.longValue() > MAX_TTL.toSeconds()) {
            errors.add(new FieldError(
                    "/ttlSeconds",
                    "must be a whole number of seconds from " + MIN_TTL.toSeconds() + " to " + MAX_TTL.toSeconds()));
            return DEFAULT_TTL;
        }
        return Duration.ofSeconds(t.longValue());
    }

    private String random(int n) {
        char[] out = new char[n];
        for (int i = 0; i < n; i++) {
            out[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(out);
    }
}
