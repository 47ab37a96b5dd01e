package network.aios.server.engine;

import static network.aios.store.JobState.APPLYING;
import static network.aios.store.JobState.WAITING_READY;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import network.aios.api.Json;
import network.aios.member.ClusterOps;
import network.aios.member.KubeFailure;
import network.aios.member.desired.InfraNames;
import network.aios.member.desired.ObjectRef;
import network.aios.server.security.AgentCertificates;
import network.aios.server.security.SecretBox;
import network.aios.store.InfraJob;
import network.aios.store.InventoryStore.InventoryItem;
import network.aios.store.JobKind;
import network.aios.store.JobReason;
import network.aios.store.JobStore;
import network.aios.tls.AgentCa;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The apply step of a create or a resync, with the control plane's own credential: the agents' serving
 * certificate kept fresh; the desired set applied (server-side apply, in waves, recorded); the gateway routes
 * one by one (a refused route is recorded, not fatal); what an earlier apply made and the desired state no
 * longer has pruned. A resync notes each object's revision first, so it can say what it repaired.
 */
final class ApplyStep {
    private static final Logger LOG = LoggerFactory.getLogger(ApplyStep.class);
    private static final String MAPPING_API_VERSION = InfraNames.MAPPING_GROUP + "/" + InfraNames.MAPPING_VERSION;

    private final JobStore store;
    private final SecretBox box;
    private final Clock clock;
    private final MemberAccess access;
    private final AgentCertificates certificates;

    private final NodeJoinSecrets nodeJoins;

    ApplyStep(JobStore store, SecretBox box, Clock clock, MemberAccess access, AgentCertificates certificates) {
        this.store = store;
        this.box = box;
        this.clock = clock;
        this.access = access;
        this.certificates = certificates;
        this.nodeJoins = new NodeJoinSecrets(store.nodeJoins(), box, clock);
    }

    InfraJob step(InfraJob job, String lease, Target target) {
        Credential cred = access.credential(job.key())
                .orElseThrow(() -> new IllegalStateException("no credential for " + job.key()));
        if (target.needsAgentToken()) {
            // the agents' serving certificate: kept while it names these hosts and is far from expiry
            AgentCa.Issued serving = certificates.ensure(cred.serving(), target.agentIdentity());
            if (serving != cred.serving()) {
                cred = cred.withServing(serving);
                store.credentials()
                        .put(
                                job.key(),
                                box.seal(cred.bytes(), MemberAccess.credentialContext(job.key())),
                                clock.instant());
                LOG.info("{}: issued the agents' serving certificate (until {})", job.key(), serving.notAfter());
            }
        }
        List<HasMetadata> objects = target.services(cred);
        List<HasMetadata> routes = target.routes();
        Repairs repairs = new Repairs(job.receipt());
        List<ClusterOps.Applied> applied;
        try (ClusterOps ops = access.open(cred)) {
            // each apply says what it found, so a resync can say what it repaired
            boolean resync = job.kind() == JobKind.RESYNC;
            java.util.Map<String, InventoryItem> recorded = resync ? recorded(job.key()) : java.util.Map.of();
            applied = access.applyRecorded(ops, job, lease, APPLYING, InfraSteps.SERVICES_SEQ, objects);
            if (resync) {
                for (int i = 0; i < applied.size(); i++) {
                    repairs.compare(
                            applied.get(i), recorded.get(key(applied.get(i).ref())));
                }
            }
            for (int i = 0; i < routes.size(); i++) {
                applyRoute(ops, job, routes.get(i), resync, recorded, repairs);
            }
            prune(ops, target, objects, repairs);
            if (target.takesNodes()) {
                nodeJoins.sync(ops, target.key(), repairs); // external nodes' join tokens, made and deleted
            }
        }
        if (job.kind() == JobKind.RESYNC && repairs.onlyFailedAsBefore(() -> store.lastResyncReceipt(job.key()))) {
            // the same refusal the last resync reported (and kept in its receipt): nothing new to say
            repairs = new Repairs(null);
        }
        if (repairs.any()) {
            LOG.info("{}: {} (job {})", job.key(), repairs.summary(), job.id());
            store.audit(
                    clock.instant(),
                    job.requestedBy(),
                    "infra." + job.kind().wire() + ".changed",
                    job.key(),
                    Json.MAPPER.writeValueAsString(repairs.receipt()));
        }
        InfraJob next = job.next(
                        WAITING_READY,
                        JobReason.APPLIED,
                        "applied " + objects.size() + " objects (" + outcomes(applied) + ")"
                                + (repairs.any() ? "; " + repairs.summary() : ""))
                .withReceipt(repairs.any() || job.receipt() != null ? repairs.receipt() : null);
        return InfraSteps.requeue(next.withProgress(objects.size(), objects.size()), Duration.ZERO, clock);
    }

    /**
     * One route's Mapping, applied on its own: a route the owner's gateway refuses (its Mapping CRD gone, a
     * webhook saying no) is recorded in the receipt and does not fail the services' apply.
     */
    private void applyRoute(
            ClusterOps ops,
            InfraJob job,
            HasMetadata route,
            boolean resync,
            java.util.Map<String, InventoryItem> recorded,
            Repairs repairs) {
        try {
            ClusterOps.Applied a = access.applyRecorded(
                            ops, job.key(), InfraSteps.ROUTES_SEQ, List.of(route), (done, ref) -> {})
                    .get(0);
            if (resync) {
                repairs.compare(a, recorded.get(key(a.ref())));
            }
        } catch (KubernetesClientException e) {
            KubeFailure failure = KubeFailure.of(e);
            if (failure == KubeFailure.TRANSIENT || failure == KubeFailure.INTERRUPTED) {
                throw e;
            }
            repairs.failed(ObjectRef.of(route).toString(), KubeFailure.describe(e));
            LOG.warn("{}: route {} not applied: {}", job.key(), ObjectRef.of(route), KubeFailure.describe(e));
        }
    }

    /** The revision each recorded object was left at by the last apply, by {@link #key}. */
    /** What the control plane recorded of each object it applied (uid and revision), by kind, namespace, name. */
    private java.util.Map<String, InventoryItem> recorded(String key) {
        java.util.Map<String, InventoryItem> out = new java.util.HashMap<>();
        for (InventoryItem i : store.inventory().list(key)) {
            out.put(key(InfraSteps.ref(i)), i);
        }
        return out;
    }

    /** "3 created, 1 patched, 16 unchanged": what the applies did, the outcomes that happened only. */
    static String outcomes(List<ClusterOps.Applied> applied) {
        java.util.Map<ClusterOps.Outcome, Long> n = new java.util.EnumMap<>(ClusterOps.Outcome.class);
        applied.forEach(a -> n.merge(a.outcome(), 1L, Long::sum));
        List<String> parts = new java.util.ArrayList<>();
        n.forEach((o, c) -> parts.add(
                c + " " + (o == ClusterOps.Outcome.NOOP ? "unchanged" : o.name().toLowerCase(java.util.Locale.ROOT))));
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }

    private static String key(ObjectRef r) {
        return r.kind() + " " + r.namespace() + "/" + r.name();
    }

    /**
     * Deletes what an earlier apply made and the desired state no longer has: in the services' range of the
     * inventory, an object an upgrade dropped; and any route Mapping on the cluster whose route is gone (its
     * removal failed half-way, or raced this resync and the Mapping came back). Never the bootstrap identity.
     * Routes are judged by what is on the cluster, listed before the routes are read: a route is stored before
     * its Mapping is applied, so one added meanwhile is never taken for a forgotten one.
     */
    private void prune(ClusterOps ops, Target target, List<HasMetadata> desired, Repairs repairs) {
        String key = target.key();
        java.util.Set<String> wanted = new java.util.HashSet<>();
        for (HasMetadata o : desired) {
            wanted.add(ObjectRef.of(o).toString() + "@" + o.getApiVersion());
        }
        for (InventoryItem i : store.inventory().list(key)) {
            if (i.seq() < InfraSteps.SERVICES_SEQ
                    || i.seq() >= InfraSteps.ROUTES_SEQ
                    || wanted.contains(InfraSteps.ref(i).toString() + "@" + i.apiVersion())) {
                continue;
            }
            // only while it is this registration's (and unchanged since looked at); another's is not ours to prune
            String outcome = RemovalSteps.deleteOwned(ops, target.owner(), InfraSteps.ref(i), i.uid())
                    .path("outcome")
                    .asString();
            if (!outcome.equals("residual")) {
                store.inventory().forget(key, i.apiVersion(), i.kind(), i.namespace(), i.name());
            }
            if (outcome.equals("deleted")) {
                repairs.pruned(InfraSteps.describe(i));
            }
        }
        if (!target.hasRoutes()) {
            return;
        }
        List<ObjectRef> onCluster =
                ops.labelled(MAPPING_API_VERSION, "Mapping", target.namespace(), InfraNames.COMPONENT_LABEL, "route");
        java.util.Set<String> routes = new java.util.HashSet<>();
        for (HasMetadata o : target.routes()) {
            routes.add(o.getMetadata().getName());
        }
        for (ObjectRef m : onCluster) {
            if (!routes.contains(m.name())
                    && RemovalSteps.deleteOwned(ops, target.owner(), m, null)
                            .path("outcome")
                            .asString()
                            .equals("deleted")) {
                store.inventory().forget(key, MAPPING_API_VERSION, "Mapping", m.namespace(), m.name());
                repairs.pruned("Mapping " + m.namespace() + "/" + m.name());
            }
        }
    }
}
