package network.aios.server.pull;

import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import network.aios.api.Json;
import network.aios.member.desired.InfraSettings;
import network.aios.member.desired.NodeJoin;
import network.aios.server.auth.Principal;
import network.aios.server.auth.TokenService;
import network.aios.server.clusters.ClusterService;
import network.aios.server.domain.DomainException;
import network.aios.server.policy.PolicyService;
import network.aios.server.security.AgentCertificates;
import network.aios.server.security.SecretBox;
import network.aios.store.ClusterStore;
import network.aios.store.GatewayRouteStore;
import network.aios.store.InfraPhase;
import network.aios.store.InventoryStore;
import network.aios.store.JobStore;
import network.aios.store.JoinRecord;
import network.aios.store.JoinState;
import network.aios.store.JoinStore;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Pull mode, as the HTTP routes see it: joins ({@link PullJoins}), the desired state and reports
 * ({@link PullDesired}), and a pull cluster's removal. Built once in the composition root.
 */
public final class PullService {
    private final PullJoins joins;
    private final PullDesired desired;
    private final JoinStore store;
    private final ClusterService clusters;
    private final ClusterStore clusterStore;
    private final JobStore infra;
    private final Clock clock;
    private final PullSignals signals = new PullSignals();

    public PullService(
            ClusterService clusters,
            ClusterStore clusterStore,
            JobStore infra,
            JoinStore store,
            TokenService tokens,
            PolicyService policies,
            GatewayRouteStore routes,
            SecretBox box,
            AgentCertificates certificates,
            InfraSettings settings,
            Clock clock) {
        this.store = store;
        this.clusters = clusters;
        this.clusterStore = clusterStore;
        this.infra = infra;
        this.clock = clock;
        this.joins = new PullJoins(
                clusters, clusterStore, infra, store, tokens, policies, settings, clock, signals::changed);
        this.desired = new PullDesired(
                clusterStore,
                store,
                tokens,
                infra,
                routes,
                box,
                certificates,
                settings,
                clock,
                new PullNodeJoins(infra.nodeJoins(), box, clock));
    }

    /** Where the long polls wait for a change of what they serve. */
    public PullSignals signals() {
        return signals;
    }

    public PullJoins joins() {
        return joins;
    }

    public PullDesired desired() {
        return desired;
    }

    /** A 404 unless the caller may see the cluster. */
    public void requireVisible(Principal who, String clusterId) {
        clusters.get(who, clusterId);
    }

    /** Whether the cluster has a join under way or done (issued, requested, accepted, being removed). */
    public boolean joinLive(String clusterId) {
        return store.latest(clusterId).filter(j -> j.state().live()).isPresent();
    }

    /** Whether the cluster is run in pull mode: its join was accepted (and not yet removed). */
    public boolean pulled(String clusterId) {
        return store.latest(clusterId)
                .filter(j -> j.state() == JoinState.ACCEPTED || j.state() == JoinState.REMOVING)
                .isPresent();
    }

    /**
     * Where external nodes join a pull cluster, as its agent last read {@code kube-public/cluster-info} (the API
     * endpoint and the CA's discovery hash); empty when the cluster is not pulled (its join not accepted) or its
     * agent never reported one. The agent's word: the cluster's admin runs it.
     */
    public Optional<NodeJoin.ClusterInfo> clusterInfo(String clusterId) {
        return store.latest(clusterId)
                .filter(j -> j.state() == JoinState.ACCEPTED)
                .flatMap(j -> PullReport.clusterInfoOf(j.report()));
    }

    /**
     * Removes a pull cluster's infrastructure: its agent is told to remove everything it applied and reports a
     * receipt. {@code force}: an agent that never answers is forgotten now, what it had applied named as residue.
     */
    public ObjectNode remove(Principal who, String clusterId, boolean force) {
        clusters.get(who, clusterId);
        JoinRecord j = store.latest(clusterId)
                .filter(r -> r.state() == JoinState.ACCEPTED || r.state() == JoinState.REMOVING)
                .orElseThrow(() -> DomainException.notFound("a pull-mode join of cluster '" + clusterId + "'"));
        java.time.Instant now = clock.instant();
        if (j.state() == JoinState.ACCEPTED) {
            store.transition(
                    j.id(),
                    Set.of(JoinState.ACCEPTED),
                    JoinState.REMOVING,
                    who.name(),
                    null,
                    now,
                    "cluster.join.remove");
            clusterStore.setInfra(clusterId, InfraPhase.DEPROVISIONING, null, who.name(), now);
            signals.changed(clusterId); // its agent, waiting, hears at once that it is to remove everything
        }
        ObjectNode out = Json.object().put("clusterId", clusterId).put("mode", "pull");
        if (force) {
            ObjectNode receipt = Json.object();
            ArrayNode residual = receipt.putArray("residual");
            for (InventoryStore.InventoryItem i : infra.inventory().list(clusterId)) {
                residual.addObject()
                        .put("object", i.kind() + " " + i.namespace() + "/" + i.name())
                        .put("error", "not confirmed removed: the pull agent did not report (forgotten by --force)");
            }
            receipt.put("clean", residual.isEmpty());
            receipt.put("forced", true);
            receipt.put("by", who.name());
            store.report(j.id(), j.appliedRevision(), Json.MAPPER.writeValueAsString(receipt), now);
            desired.finishRemoval(store.get(j.id()).orElseThrow(), receipt, who.name(), now);
            out.put("state", JoinState.REMOVED.wire());
            out.set("receipt", receipt);
            out.put("message", "forgotten: the objects the pull agent had applied are named as residue");
            return out;
        }
        out.put("state", JoinState.REMOVING.wire());
        out.put(
                "message",
                "the cluster's pull agent removes what it applied and reports a receipt (aios cluster join-status "
                        + clusterId + "); if it never answers, remove again with force");
        return out;
    }

    /**
     * What {@code GET /api/v1/clusters/{id}/join} answers: the latest join's view and the cluster's status (whose
     * {@code live} or {@code degraded} says the agent applied everything and reported it available); state
     * {@code none} when the cluster never had a join.
     */
    public ObjectNode describe(Principal who, String clusterId) {
        ObjectNode out = joins.view(who, clusterId)
                .map(PullService::view)
                .orElseGet(() -> Json.object().put("clusterId", clusterId).put("state", "none"));
        out.put("clusterStatus", clusters.get(who, clusterId).status());
        return out;
    }

    /** The join's view (docs/PULL.md), the last report or removal receipt included; never a token. */
    public static ObjectNode view(JoinRecord j) {
        ObjectNode out = Json.object()
                .put("clusterId", j.clusterId())
                .put("joinId", j.id())
                .put("state", j.state().wire())
                .put("acceptByPolicy", j.acceptByPolicy())
                .put("expiresAt", j.expiresAt().toString())
                .put("createdBy", j.createdBy())
                .put("createdAt", j.createdAt().toString());
        put(out, "requestedAt", j.requestedAt());
        out.put("clusterUid", j.clusterUid());
        out.put("decidedBy", j.decidedBy());
        put(out, "decidedAt", j.decidedAt());
        out.put("reason", j.reason());
        out.put("appliedRevision", j.appliedRevision());
        put(out, "reportedAt", j.reportedAt());
        Optional.ofNullable(j.report()).ifPresent(r -> {
            var n = Json.MAPPER.readTree(r);
            if (j.state() == JoinState.REMOVED) {
                out.set("receipt", n);
            } else {
                ObjectNode last = out.putObject("lastReport");
                last.set("notReady", n.path("notReady"));
                if (n.path("clusterInfo").isObject()) {
                    last.set("clusterInfo", n.path("clusterInfo"));
                }
                last.put("objects", n.path("results").size());
                ArrayNode failed = last.putArray("failed");
                n.path("results").forEach(res -> {
                    if ("failed".equals(res.path("outcome").asString(""))) {
                        failed.add(res.path("kind").asString("") + " "
                                + res.path("name").asString("") + ": "
                                + res.path("error").asString(""));
                    }
                });
            }
        });
        return out;
    }

    private static void put(ObjectNode out, String field, java.time.Instant at) {
        if (at == null) {
            out.putNull(field);
        } else {
            out.put(field, at.toString());
        }
    }
}
