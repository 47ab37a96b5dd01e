package network.aios.server.pull;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import network.aios.api.ClusterDocument;
import network.aios.api.Incarnation;
import network.aios.api.Json;
import network.aios.member.desired.AgentSecrets;
import network.aios.member.desired.ClusterServices;
import network.aios.member.desired.DesiredSet;
import network.aios.member.desired.DesiredState;
import network.aios.member.desired.GatewayRoute;
import network.aios.member.desired.InfraSettings;
import network.aios.member.desired.NodeJoinWork;
import network.aios.member.desired.ObjectRef;
import network.aios.member.desired.Owner;
import network.aios.server.auth.Principal;
import network.aios.server.auth.TokenService;
import network.aios.server.domain.DomainException;
import network.aios.server.security.AgentCertificates;
import network.aios.server.security.SecretBox;
import network.aios.store.ClusterRecord;
import network.aios.store.ClusterStore;
import network.aios.store.GatewayRouteStore;
import network.aios.store.InfraPhase;
import network.aios.store.InventoryStore;
import network.aios.store.JobStore;
import network.aios.store.JoinRecord;
import network.aios.store.JoinState;
import network.aios.store.JoinStore;
import network.aios.tls.AgentCa;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a joined cluster's pull agent is served and what it reports: the same {@link DesiredSet} push mode applies
 * ({@link ClusterServices}), and the results recorded as push mode records its own (the inventory, the infra phase,
 * what a resync repaired, a removal's receipt). The control plane holds no credential to the cluster: the services'
 * own secrets (their token for the control plane, their serving certificate) are all it keeps, sealed.
 */
public final class PullDesired {
    private static final Logger LOG = LoggerFactory.getLogger(PullDesired.class);
    /** How often the agent applies the whole set again even when nothing changed (drift repair). */
    static final int RESYNC_SECONDS = 30;

    static final String FIELD_MANAGER = "aios-pull-agent";
    /** Inventory order, as push mode records it: the services from 100, the gateway routes from 1000. */
    private static final int SERVICES_SEQ = 100;

    private static final int ROUTES_SEQ = 1000;

    private final ClusterStore clusters;
    private final JoinStore joins;
    private final TokenService tokens;
    private final JobStore infra;
    private final GatewayRouteStore routes;
    private final SecretBox box;
    private final AgentCertificates certificates;
    private final InfraSettings settings;
    private final Clock clock;
    private final PullNodeJoins nodeJoins;
    private final java.util.Map<String, Object> locks = new java.util.concurrent.ConcurrentHashMap<>();

    PullDesired(
            ClusterStore clusters,
            JoinStore joins,
            TokenService tokens,
            JobStore infra,
            GatewayRouteStore routes,
            SecretBox box,
            AgentCertificates certificates,
            InfraSettings settings,
            Clock clock,
            PullNodeJoins nodeJoins) {
        this.clusters = clusters;
        this.joins = joins;
        this.tokens = tokens;
        this.infra = infra;
        this.routes = routes;
        this.box = box;
        this.certificates = certificates;
        this.settings = settings;
        this.clock = clock;
        this.nodeJoins = nodeJoins;
    }

    /** The join the agent's credential was issued for; a 401 when there is none (revoked, replaced). */
    JoinRecord joinOf(Principal agent) {
        JoinRecord j = joins.byCredential(agent.name())
                .filter(r -> r.clusterId().equals(agent.clusterId()))
                .orElseThrow(() -> new DomainException(
                        DomainException.Kind.UNAUTHENTICATED,
                        "credential_revoked",
                        "this pull credential no longer belongs to a join",
                        null,
                        null));
        if (j.previousCredential() != null && agent.name().equals(j.credentialName())) {
            // the rotated credential reached us, so the agent kept it: the one it replaced goes now
            joins.retirePrevious(j.id(), agent.name()).ifPresent(old -> tokens.revoke(old, agent.name()));
        }
        return j;
    }

    /** The wire answer of {@code GET /api/v1/pull/desired} (docs/PULL.md); its {@code revision} is the ETag. */
    public ObjectNode desired(Principal agent) {
        JoinRecord j = joinOf(agent);
        ClusterRecord cluster = clusters.get(j.clusterId()).orElseThrow(() -> DomainException.notFound("the cluster"));
        ObjectNode out;
        switch (j.state()) {
            case REQUESTED ->
                throw new DomainException(
                        DomainException.Kind.CONFLICT,
                        "join_pending",
                        "cluster '" + j.clusterId() + "' asked to join and waits for the network admin's accept",
                        null,
                        "aios cluster accept " + j.clusterId() + " (the network admin)");
            case REFUSED ->
                throw new DomainException(
                        DomainException.Kind.FORBIDDEN,
                        "join_refused",
                        "the join of cluster '" + j.clusterId() + "' was refused: " + j.reason(),
                        null,
                        null);
            case ACCEPTED -> {
                DesiredSet set = build(j, cluster, secrets(j, cluster));
                out = set.toJson();
                NodeJoinWork work = nodeJoins.work(j.clusterId());
                if (!work.isEmpty()) {
                    // the bootstrap tokens the agent is to make or delete; the revision (the long poll's ETag) moves
                    // with them, so a waiting agent hears of a new token at once
                    out.put("revision", revision(set, work));
                    out.set("nodeJoins", work.toJson());
                }
                out.put("remove", false);
            }
            case REMOVING -> {
                DesiredSet all = build(j, cluster, AgentSecrets.placeholder());
                DesiredSet none = new DesiredSet(all.namespace(), List.of(), all.prune(), List.of());
                out = none.toJson();
                out.put("remove", true);
            }
            default -> throw joinOfNoUse(j);
        }
        out.put("clusterId", j.clusterId());
        out.put("fieldManager", FIELD_MANAGER);
        out.put("resyncSeconds", RESYNC_SECONDS);
        return out;
    }

    /**
     * The revision served with node-join work: the set's own revision when there is none (so an agent with nothing
     * to do about tokens sees the revision push mode would apply), else a digest of both.
     */
    private static String revision(DesiredSet set, NodeJoinWork work) {
        return work.isEmpty()
                ? set.revision()
                : network.aios.member.desired.Fingerprint.digest(set.revision() + "\n" + work.digest())
                        .substring(0, 32);
    }

    private static DomainException joinOfNoUse(JoinRecord j) {
        return new DomainException(
                DomainException.Kind.UNAUTHENTICATED,
                "credential_revoked",
                "the join of cluster '" + j.clusterId() + "' is " + j.state().wire(),
                null,
                null);
    }

    private DesiredSet build(JoinRecord j, ClusterRecord cluster, AgentSecrets secrets) {
        List<GatewayRoute> gateway = new ArrayList<>();
        for (GatewayRouteStore.Route r : routes.list(j.clusterId())) {
            GatewayRoute.Kind kind = GatewayRoute.Kind.fromWire(r.kind());
            if (kind != null) {
                gateway.add(new GatewayRoute(kind, r.routeId(), r.service()));
            }
        }
        return ClusterServices.from(
                ClusterDocument.of(cluster.document()),
                settings,
                secrets,
                gateway,
                Owner.cluster(j.clusterId(), Incarnation.of(cluster.createdAt())));
    }

    /**
     * The services' secrets, made at the first desired state after the accept and kept sealed with the join; the
     * serving certificate renewed when due (a new revision, which rolls the services).
     */
    private AgentSecrets secrets(JoinRecord j, ClusterRecord cluster) {
        // one cluster at a time (its first desired state makes them once); other clusters never wait on it
        synchronized (locks.computeIfAbsent(j.clusterId(), k -> new Object())) {
            return secretsHolding(j, cluster);
        }
    }

    private AgentSecrets secretsHolding(JoinRecord j, ClusterRecord cluster) {
        String context = "pull-agents:" + j.clusterId();
        String identity = AgentCa.identity(j.clusterId(), cluster.createdAt());
        String token;
        AgentCa.Issued serving = null;
        var sealed = joins.agentSecrets(j.id());
        if (sealed.isPresent()) {
            JsonNode n = Json.MAPPER.readTree(box.open(sealed.get(), context));
            token = n.path("agentToken").asString();
            JsonNode s = n.path("serving");
            serving = new AgentCa.Issued(
                    s.path("certificate").asString(),
                    s.path("key").asString(),
                    Instant.parse(s.path("notAfter").asString()),
                    s.path("identity").asString());
        } else {
            tokens.revokeAgent(j.clusterId());
            token = tokens.issueAgent(j.clusterId(), "pull-join").token();
        }
        AgentCa.Issued current = certificates.ensure(serving, identity);
        if (sealed.isEmpty() || current != serving) {
            ObjectNode n = Json.object().put("agentToken", token);
            n.putObject("serving")
                    .put("certificate", current.certificatePem())
                    .put("key", current.keyPem())
                    .put("notAfter", current.notAfter().toString())
                    .put("identity", current.identity());
            joins.putAgentSecrets(j.id(), box.seal(Json.bytes(n), context));
        }
        return new AgentSecrets(token, current.certificatePem(), current.keyPem());
    }

    /** Records a report (docs/PULL.md); the cluster's infrastructure phase after it. */
    public InfraPhase report(Principal agent, JsonNode body) {
        PullReport r = PullReport.parse(body);
        JoinRecord j = joinOf(agent);
        ClusterRecord cluster = clusters.get(j.clusterId()).orElseThrow(() -> DomainException.notFound("the cluster"));
        Instant now = clock.instant();
        String id = j.clusterId();
        if (j.state() == JoinState.REMOVING && r.removed()) {
            return removed(j, r, now);
        }
        if (j.state() != JoinState.ACCEPTED) {
            throw DomainException.conflict(
                    "the join of cluster '" + id + "' is " + j.state().wire() + ": there is nothing to report");
        }
        DesiredSet current = build(j, cluster, secrets(j, cluster));
        // the revision as served now: with the token work the agent may just have done (it is done once recorded)
        String served = revision(current, nodeJoins.work(id));
        record(id, current, r, now);
        nodeJoins.reported(id, r.nodeJoins());
        // the cluster's join endpoint is kept from report to report: the agent says it when it changed
        joins.report(
                j.id(),
                r.revision(),
                Json.MAPPER.writeValueAsString(r.withClusterInfoFrom(j.report()).toJson()),
                now);
        InfraPhase phase = phaseOf(cluster);
        List<String> changed = r.changed(keysOf(current));
        boolean complete =
                (r.revision().equals(current.revision()) || r.revision().equals(served))
                        && r.notReady().isEmpty()
                        && r.failed().isEmpty();
        if (phase == InfraPhase.READY && !changed.isEmpty()) {
            // the agent put back what had drifted: said as push mode's resync says it
            ObjectNode receipt = Json.object();
            ArrayNode repaired = receipt.putArray("repaired");
            changed.forEach(repaired::add);
            infra.audit(now, agent.name(), "infra.resync.changed", id, Json.MAPPER.writeValueAsString(receipt));
            LOG.info("{}: the pull agent repaired {}", id, changed);
        }
        // the join may have been ended since this report began (a removal asked for): it is not made ready then
        boolean stillAccepted =
                joins.get(j.id()).filter(x -> x.state() == JoinState.ACCEPTED).isPresent();
        if (complete && phase != InfraPhase.READY && stillAccepted) {
            String urlMap = Json.MAPPER.writeValueAsString(DesiredState.urlMap(ClusterDocument.of(cluster.document())));
            clusters.setInfra(id, InfraPhase.READY, urlMap, agent.name(), now);
            LOG.info("{}: infrastructure ready (applied by its pull agent, revision {})", id, r.revision());
            return InfraPhase.READY;
        }
        return phase;
    }

    /** The infrastructure's phase as the cluster's status shows it (live or degraded: ready). */
    private static InfraPhase phaseOf(ClusterRecord cluster) {
        return switch (network.aios.api.ClusterStatus.fromWire(cluster.status())
                .orElse(network.aios.api.ClusterStatus.REGISTERED)) {
            case LIVE, DEGRADED -> InfraPhase.READY;
            case PROVISIONING -> InfraPhase.PROVISIONING;
            case DEPROVISIONING -> InfraPhase.DEPROVISIONING;
            case FAILED -> InfraPhase.FAILED;
            case REGISTERED -> InfraPhase.NONE;
        };
    }

    /** The inventory, as push mode keeps it: what is on the cluster now, with uid and revision. */
    private void record(String id, DesiredSet current, PullReport r, Instant now) {
        Map<String, Integer> seq = new HashMap<>();
        List<ObjectRef> services = current.refs(ClusterServices.SERVICES);
        for (int i = 0; i < services.size(); i++) {
            seq.put(key(services.get(i)), SERVICES_SEQ + i);
        }
        List<ObjectRef> gw = current.refs(ClusterServices.ROUTES);
        for (int i = 0; i < gw.size(); i++) {
            seq.put(key(gw.get(i)), ROUTES_SEQ + i);
        }
        List<InventoryStore.Intent> present = new ArrayList<>();
        List<String> uids = new ArrayList<>();
        List<String> revisions = new ArrayList<>();
        for (PullReport.Result res : r.results()) {
            Integer s = seq.get(res.key());
            if (res.gone() && prunable(current, res)) {
                infra.inventory().forget(id, res.apiVersion(), res.kind(), res.namespace(), res.name());
            } else if (s != null && res.uid() != null) {
                present.add(new InventoryStore.Intent(s, res.apiVersion(), res.kind(), res.namespace(), res.name()));
                uids.add(res.uid());
                revisions.add(res.revision());
            }
        }
        if (!present.isEmpty()) {
            infra.inventory().recordIntents(id, present, now);
            infra.inventory().recordApplied(id, present, uids, revisions);
        }
    }

    private static java.util.Set<String> keysOf(DesiredSet set) {
        java.util.Set<String> keys = new java.util.HashSet<>();
        for (var w : set.waves()) {
            set.refs(w.name()).forEach(ref -> keys.add(key(ref)));
        }
        return keys;
    }

    private static String key(ObjectRef ref) {
        return ref.kind() + " " + (ref.namespace() == null ? "" : ref.namespace()) + "/" + ref.name();
    }

    /** Whether a pruned object is one the set's prune rule covers (its kinds, in its namespace). */
    private static boolean prunable(DesiredSet set, PullReport.Result res) {
        return set.prune().namespace().equals(res.namespace())
                && set.prune().kinds().contains(new DesiredSet.Kind(res.apiVersion(), res.kind()));
    }

    /** The agent removed what it applied: the receipt kept with the join, and the cluster back to registered. */
    private InfraPhase removed(JoinRecord j, PullReport r, Instant now) {
        String id = j.clusterId();
        ObjectNode receipt = Json.object();
        ArrayNode deleted = receipt.putArray("deleted");
        ArrayNode residual = receipt.putArray("residual");
        for (PullReport.Result res : r.results()) {
            if (res.outcome().equals("failed")) {
                residual.addObject().put("object", res.key()).put("error", res.error());
            } else {
                deleted.add(res.key());
            }
        }
        receipt.put("clean", residual.isEmpty());
        receipt.put("by", "pull-agent");
        joins.report(j.id(), r.revision(), Json.MAPPER.writeValueAsString(receipt), now);
        finishRemoval(j, receipt, agentName(j), now);
        return InfraPhase.NONE;
    }

    private static String agentName(JoinRecord j) {
        return j.credentialName() == null ? "pull-agent" : j.credentialName();
    }

    /** Ends a pull cluster's infrastructure: the join removed, its credentials revoked, the registry told. */
    void finishRemoval(JoinRecord j, ObjectNode receipt, String actor, Instant now) {
        String id = j.clusterId();
        infra.inventory().clear(id);
        routes.deleteAll(id);
        tokens.revokeAgent(id);
        if (j.credentialName() != null) {
            tokens.revoke(j.credentialName(), actor);
        }
        if (j.previousCredential() != null) {
            tokens.revoke(j.previousCredential(), actor);
        }
        joins.transition(
                j.id(), Set.of(JoinState.REMOVING), JoinState.REMOVED, null, null, now, "cluster.join.removed");
        // (the join keeps who accepted it; who removed it is on the receipt's audit row below)
        joins.dropAgentSecrets(j.id()); // the services' token and serving key are of no more use to anyone
        clusters.setInfra(id, InfraPhase.NONE, null, actor, now);
        infra.audit(now, actor, "infra.remove.receipt", id, Json.MAPPER.writeValueAsString(receipt));
    }

    /** A new credential for the agent; the one it presented is revoked at once. */
    public String rotate(Principal agent) {
        JoinRecord j = joinOf(agent);
        if (!j.state().live()) {
            throw joinOfNoUse(j);
        }
        TokenService.Issued next = tokens.issuePull(j.clusterId(), agent.name());
        // the presented credential stays valid until the new one is first used: an answer lost on the way costs
        // nothing (the agent rotates again with the old one, and the lost one is revoked)
        var dropped = joins.rotate(j.id(), agent.name(), next.record().name());
        if (dropped.isEmpty()) {
            tokens.revoke(next.record().name(), agent.name()); // another rotation won: this one never counts
            throw DomainException.conflict("this join's credential was rotated meanwhile: use the credential you keep");
        }
        dropped.get().ifPresent(old -> tokens.revoke(old, agent.name()));
        return next.token();
    }
}
