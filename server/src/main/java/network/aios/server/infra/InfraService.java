package network.aios.server.infra;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import network.aios.api.AddonKind;
import network.aios.api.ClusterStatus;
import network.aios.api.TargetKey;
import network.aios.member.ClusterOps;
import network.aios.member.Kubeconfigs;
import network.aios.member.Preflight;
import network.aios.member.desired.AddonDeployment;
import network.aios.member.desired.InfraSettings;
import network.aios.server.auth.Principal;
import network.aios.server.clusters.ClusterService;
import network.aios.server.domain.DomainException;
import network.aios.server.engine.ClusterConnector;
import network.aios.server.engine.Engine;
import network.aios.server.security.SecretBox;
import network.aios.store.AddonRecord;
import network.aios.store.AddonStore;
import network.aios.store.ClusterRecord;
import network.aios.store.ClusterStore;
import network.aios.store.InfraJob;
import network.aios.store.JobKind;
import network.aios.store.JobReason;
import network.aios.store.JobStore;
import network.aios.store.Sealed;
import tools.jackson.databind.JsonNode;

/**
 * Create and remove a cluster's AIOS infrastructure. Everything that can be checked before answering
 * is (registration, kubeconfig, API server reachable, permissions, preflight); the work itself is a
 * persisted job.
 */
public final class InfraService {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(InfraService.class);

    private final ClusterService clusterService;
    private final ClusterStore clusters;
    private final AddonStore addons;
    private final JobStore store;
    private final SecretBox box;
    private final Clock clock;
    private final Engine engine;
    private final OwnerKubeconfigs owners;
    private final InfraManifests manifests;

    /** Requests that call a member cluster while the caller waits, at once, per owner. */
    public static final int MEMBER_CALLS_PER_OWNER = 4;

    private final MemberCallSlots slots = new MemberCallSlots(MEMBER_CALLS_PER_OWNER);

    /** Each owner's slots for calls to its member clusters while it waits (route changes take them too). */
    public MemberCallSlots slots() {
        return slots;
    }

    /** {@code engine}: built once in the composition root; this service queues its jobs and wakes it. */
    public InfraService(
            ClusterService clusterService,
            ClusterStore clusters,
            AddonStore addons,
            JobStore store,
            SecretBox box,
            InfraSettings settings,
            ClusterConnector connector,
            Clock clock,
            boolean allowInsecureKubeconfig,
            Engine engine) {
        this.owners = new OwnerKubeconfigs(connector, allowInsecureKubeconfig);
        this.clusterService = clusterService;
        this.clusters = clusters;
        this.addons = addons;
        this.store = store;
        this.box = box;
        this.manifests = new InfraManifests(clusterService, settings);
        this.clock = clock;
        this.engine = engine;
    }

    /**
     * The target's desired state changed outside a job (a gateway route added or removed): the engine applies it
     * under its lease, soon, never from inside the request that changed it.
     */
    public void applySoon(String key) {
        engine.applySoon(key);
    }

    /** A job and whether the request created it (false: an existing one answers, e.g. already Ready). */
    public record Scheduled(InfraJob job, boolean created, String note) {}

    public Scheduled create(Principal who, String clusterId, JsonNode kubeconfig, String pointer) {
        try (MemberCallSlots.Slot slot = slots.enter(who)) {
            return createHolding(who, clusterId, kubeconfig, pointer);
        }
    }

    private Scheduled createHolding(Principal who, String clusterId, JsonNode kubeconfig, String pointer) {
        ClusterRecord cluster = clusterService.get(who, clusterId);
        Kubeconfigs.Parsed parsed = owners.parse(kubeconfig, pointer);
        OwnerKubeconfigs.requirePassed(owners.preflight(parsed, cluster), "the AIOS infrastructure");
        // live or degraded: the infrastructure is ready either way (degraded is the cluster's health)
        Optional<InfraJob> ready = readyJob(
                clusterId,
                ClusterStatus.LIVE.wire().equals(cluster.status())
                        || ClusterStatus.DEGRADED.wire().equals(cluster.status()));
        if (ready.isPresent() && stillThere(engine.target(clusterId), parsed)) {
            return new Scheduled(ready.get(), false, "the infrastructure is already ready; nothing to do");
        }
        InfraJob job = newJob(
                who,
                clusterId,
                JobKind.CREATE,
                parsed,
                false,
                () -> engine.target(clusterId).provisioning(who.name()));
        engine.wake();
        return new Scheduled(job, true, "cluster creation scheduled");
    }

    /**
     * Deploys a registered policy executor or split runner onto the cluster the kubeconfig selects,
     * through the same checks and job as a cluster's infrastructure. The caller has checked that the
     * add-on is the principal's.
     */
    public Scheduled createAddon(Principal who, AddonRecord addon, JsonNode kubeconfig, String pointer) {
        return scheduleAddon(who, addon, checkAddon(who, addon, kubeconfig, pointer));
    }

    /** The synchronous part of deploying an add-on: the kubeconfig is usable and the preflight passes. */
    public Kubeconfigs.Parsed checkAddon(Principal who, AddonRecord addon, JsonNode kubeconfig, String pointer) {
        AddonKind kind = deployable(addon);
        Kubeconfigs.Parsed parsed = owners.parse(kubeconfig, pointer);
        AddonDeployment deployment = AddonDeployment.forRegistration(kind, addon.id(), addon.document());
        try (MemberCallSlots.Slot slot = slots.enter(who)) {
            OwnerKubeconfigs.requirePassed(
                    owners.withOwnersKubeconfig(parsed, ops -> Preflight.run(ops, deployment)),
                    "the " + kind.wire().replace('_', ' '));
        }
        return parsed;
    }

    /** Schedules the deployment of a stored add-on, checked by {@link #checkAddon}. */
    public Scheduled scheduleAddon(Principal who, AddonRecord addon, Kubeconfigs.Parsed parsed) {
        // the look at the cluster and the wait for a superseded step both hold the caller: one of its slots
        try (MemberCallSlots.Slot slot = slots.enter(who)) {
            return scheduleAddonHolding(who, addon, parsed);
        }
    }

    private Scheduled scheduleAddonHolding(Principal who, AddonRecord addon, Kubeconfigs.Parsed parsed) {
        AddonKind kind = deployable(addon);
        String key = kind.infraKey(addon.id());
        Optional<InfraJob> ready = readyJob(key, "ready".equals(addon.infraStatus()));
        if (ready.isPresent() && stillThere(engine.target(key), parsed)) {
            return new Scheduled(ready.get(), false, "already deployed; nothing to do");
        }
        InfraJob job = newJob(
                who,
                key,
                JobKind.CREATE,
                parsed,
                false,
                () -> engine.target(key).provisioning(who.name()));
        engine.wake();
        return new Scheduled(job, true, kind.wire().replace('_', ' ') + " deployment scheduled");
    }

    /**
     * The create job that made {@code key} ready, if that is still the state (and the registry agrees)
     * and what it applied is still what would be applied now; otherwise creating again re-applies.
     */
    private Optional<InfraJob> readyJob(String key, boolean registrySaysReady) {
        // the last job that made it ready (a later failed resync does not make a live cluster re-bootstrap)
        return store.latestReadyJob(key)
                .filter(j -> registrySaysReady)
                .filter(j -> store.appliedFingerprint(key)
                        .equals(Optional.of(engine.target(key).fingerprint())))
                .filter(j -> engine.servingCertificateCurrent(key));
    }

    /**
     * Whether what the registry says is ready is still on the cluster (its namespace there and this
     * registration's), looked at with the owner's kubeconfig: if someone deleted it, creating again re-creates it
     * instead of answering "nothing to do".
     */
    private boolean stillThere(network.aios.server.engine.TargetView target, Kubeconfigs.Parsed parsed) {
        return owners.withOwnersKubeconfig(
                parsed,
                ops -> ops.namespace(target.namespace())
                        .filter(ns -> !ns.terminating() && target.owner().holds(ns))
                        .isPresent());
    }

    private static AddonKind deployable(AddonRecord addon) {
        return AddonKind.fromWire(addon.kind())
                .filter(AddonKind::deployable)
                .orElseThrow(() -> DomainException.notFound("infrastructure for a " + addon.kind()));
    }

    /** Removes a deployed add-on (with the stored credential, or a kubeconfig); then deletes it if asked. */
    public Scheduled removeAddon(
            Principal who, AddonRecord addon, JsonNode kubeconfig, String pointer, boolean thenDelete) {
        AddonKind kind = deployable(addon);
        return scheduleRemoval(
                who,
                kind.infraKey(addon.id()),
                kubeconfig,
                pointer,
                thenDelete,
                kind.wire().replace('_', ' ') + " removal scheduled");
    }

    /** Where a target's infra status is read: a cluster's, or an add-on's ({@code <kind>/<id>} key). */
    private static String statusPath(String key) {
        TargetKey t = TargetKey.parse(key);
        return t.isCluster()
                ? "/api/v1/clusters/" + t.id() + "/infra"
                : t.addon().path() + "/" + t.id() + "/infra";
    }

    public Scheduled remove(Principal who, String clusterId, JsonNode kubeconfig, String pointer) {
        return remove(who, clusterId, kubeconfig, pointer, false);
    }

    /**
     * Deletes a cluster from the registry together with its infrastructure: checked by the
     * {@code remove_cluster} policy now; the registration goes once the removal has finished clean.
     * Without infrastructure the cluster is deleted at once (null). Either way the add-on registrations
     * bound to it go with it (refused while one of them is deployed).
     */
    public Scheduled deleteWithInfra(Principal who, String clusterId, Long ifMatch) {
        if (!hasInfra(clusterId)) {
            clusterService.delete(who, clusterId, ifMatch, true);
            return null;
        }
        clusterService.checkRemovable(who, clusterId, ifMatch);
        Scheduled s = remove(who, clusterId, null, "/kube_config_data", true);
        return new Scheduled(
                s.job(), true, "infrastructure removal scheduled; the cluster is deleted when it finishes");
    }

    private Scheduled remove(Principal who, String clusterId, JsonNode kubeconfig, String pointer, boolean thenDelete) {
        clusterService.get(who, clusterId);
        return scheduleRemoval(who, clusterId, kubeconfig, pointer, thenDelete, "cluster removal scheduled");
    }

    private Scheduled scheduleRemoval(
            Principal who, String key, JsonNode kubeconfig, String pointer, boolean thenDelete, String note) {
        Kubeconfigs.Parsed parsed = null;
        boolean given = kubeconfig != null
                && !kubeconfig.isNull()
                && !(kubeconfig.isObject() && kubeconfig.isEmpty())
                && !(kubeconfig.isString() && kubeconfig.asString().isBlank());
        if (given) {
            parsed = owners.parse(kubeconfig, pointer);
        }
        // the reachability check and the wait for a superseded step both hold the caller: one of its slots
        try (MemberCallSlots.Slot slot = slots.enter(who)) {
            if (parsed != null) {
                owners.reachable(parsed);
            }
            store.checkJobQuota(who.quotaOwner(), key); // before anything under way is superseded
            supersede(who, key, JobKind.CREATE, "a removal");
            Kubeconfigs.Parsed admin = parsed;
            InfraJob job = newJob(who, key, JobKind.REMOVE, admin, thenDelete, () -> {
                store.dropApplied(key); // being removed: nothing resyncs it, and creating again re-applies
                engine.target(key).deprovisioning(who.name());
            });
            engine.wake();
            return new Scheduled(job, true, note);
        }
    }

    public List<Preflight.Check> preflight(Principal who, String clusterId, JsonNode kubeconfig, String pointer) {
        ClusterRecord cluster = clusterService.get(who, clusterId);
        Kubeconfigs.Parsed parsed = owners.parse(kubeconfig, pointer);
        try (MemberCallSlots.Slot slot = slots.enter(who)) {
            return owners.preflight(parsed, cluster);
        }
    }

    /** The manifests of a cluster's infrastructure, for review. */
    public InfraManifests manifests() {
        return manifests;
    }

    public InfraJob job(Principal who, String jobId) {
        InfraJob j = store.job(jobId).orElseThrow(() -> DomainException.notFound("job '" + jobId + "'"));
        // the owner of what it deploys sees a job; once that is deleted (or the id registered again, by
        // anyone), only whoever requested the job still does
        boolean visible = registration(j.key())
                .filter(r -> !j.createdAt().isBefore(r.createdAt()))
                .map(r -> who.mayAccess(r.owner()))
                .orElse(who.isAdmin() || who.name().equals(j.requestedBy()));
        if (!visible) {
            throw DomainException.notFound("job '" + jobId + "'");
        }
        return j;
    }

    /** Who registered what a job key names, and when. */
    private record Registration(String owner, java.time.Instant createdAt) {}

    private Optional<Registration> registration(String key) {
        TargetKey t = TargetKey.parse(key);
        return t.isCluster()
                ? clusters.get(t.id()).map(c -> new Registration(c.owner(), c.createdAt()))
                : addons.get(t.addon().wire(), t.id()).map(a -> new Registration(a.owner(), a.createdAt()));
    }

    /**
     * A target's latest job since {@code registeredAt}: the jobs of an earlier registration of the same id
     * (deleted, maybe by another owner) are not this one's.
     */
    public Optional<InfraJob> latestSince(String key, java.time.Instant registeredAt) {
        return store.latestJob(key).filter(j -> !j.createdAt().isBefore(registeredAt));
    }

    /** A target's latest job (empty when it never had one) and its inventory on the member cluster. */
    public record Status(Optional<InfraJob> job, List<network.aios.store.InventoryStore.InventoryItem> inventory) {}

    /** A cluster's infra status; a 404 when it is not the caller's. */
    public Status status(Principal who, String clusterId) {
        ClusterRecord c = clusterService.get(who, clusterId);
        return new Status(
                latestSince(clusterId, c.createdAt()), store.inventory().list(clusterId));
    }

    public List<network.aios.store.InventoryStore.InventoryItem> inventory(String clusterId) {
        return store.inventory().list(clusterId);
    }

    /**
     * Runs {@code read} against the member cluster with the control plane's own credential there (never an
     * agent's); empty when the control plane holds none (no infrastructure, or pull mode later).
     */
    public <T> Optional<T> readWithOwnCredential(String clusterId, java.util.function.Function<ClusterOps, T> read) {
        return engine.readWithOwnCredential(clusterId, read);
    }

    /**
     * Where external nodes join {@code clusterId}: its {@code kube-public/cluster-info}, read with the control
     * plane's own credential while {@code who} holds one of their member-call slots; empty when there is no such
     * credential or the ConfigMap is missing or unreadable (a refused read included).
     */
    public Optional<network.aios.member.desired.NodeJoin.ClusterInfo> clusterInfo(Principal who, String clusterId) {
        try (MemberCallSlots.Slot slot = slots.enter(who)) {
            return engine.readWithOwnCredential(
                            clusterId, ops -> ops.configMapData("kube-public", "cluster-info", "kubeconfig"))
                    .flatMap(kc -> kc)
                    .flatMap(network.aios.member.desired.NodeJoin::clusterInfo);
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            if (network.aios.member.KubeFailure.of(e) == network.aios.member.KubeFailure.FORBIDDEN) {
                return Optional.empty();
            }
            throw new DomainException(
                    DomainException.Kind.UPSTREAM_FAILED,
                    "member_cluster_failed",
                    "cluster '" + clusterId + "' did not answer: " + network.aios.member.KubeFailure.describe(e),
                    null,
                    "retry; nothing was issued");
        }
    }

    /** Whether the cluster has infrastructure (recorded objects) or a job under way. */
    public boolean hasInfra(String clusterId) {
        return store.hasInfra(clusterId);
    }

    /**
     * Cancels the target's waiting job of kind {@code kind} (or a background resync) for {@code why}; a
     * 409 if it is in the middle of a step.
     */
    private void supersede(Principal who, String key, JobKind kind, String why) {
        store.activeJob(key)
                .filter(j -> j.kind() == kind || j.kind() == JobKind.RESYNC)
                .ifPresent(j -> {
                    String message = "superseded by " + why + " requested by " + who.name();
                    // a background resync's steps are short: wait for the one under way to end rather than refuse
                    int tries = j.kind() == JobKind.RESYNC ? 50 : 1;
                    for (int i = 0; i < tries; i++) {
                        if (store.cancelIfIdle(j.id(), JobReason.SUPERSEDED, message, clock.instant())
                                || store.job(j.id()).map(InfraJob::finished).orElse(true)) {
                            return;
                        }
                        if (i + 1 < tries) {
                            java.util.concurrent.locks.LockSupport.parkNanos(
                                    100_000_000L); // a step boundary comes soon
                        }
                    }
                    throw DomainException.conflict(j.kind().wire() + " job " + j.id()
                            + " is in the middle of a step; retry " + "in a few seconds");
                });
    }

    /** Queues a job; {@code phase} writes the target's phase in the same transaction. */
    private InfraJob newJob(
            Principal who,
            String clusterId,
            JobKind kind,
            Kubeconfigs.Parsed admin,
            boolean thenDelete,
            Runnable phase) {
        if (kind == JobKind.CREATE) {
            store.checkJobQuota(who.quotaOwner(), clusterId); // before anything under way is superseded
            supersede(who, clusterId, JobKind.RESYNC, "a create");
        }
        String id = "job-" + UUID.randomUUID().toString().substring(0, 13);
        Sealed sealed =
                admin == null ? null : box.seal(admin.text().getBytes(StandardCharsets.UTF_8), Engine.adminContext(id));
        java.time.Instant now = clock.instant();
        InfraJob job = InfraJob.queued(
                id,
                TargetKey.parse(clusterId),
                kind,
                kind.wire() + " queued",
                sealed == null ? null : new InfraJob.Admin(sealed.keyId(), sealed.bytes()),
                who.name(),
                now);
        return store.insert(job, who.name(), thenDelete, phase, who.quotaOwner())
                .orElseThrow(() -> {
                    InfraJob active = store.activeJob(clusterId).orElse(null);
                    if (active == null && TargetKey.parse(clusterId).isCluster() && !clusterService.exists(clusterId)) {
                        return DomainException.notFound("cluster '" + clusterId + "'"); // deleted meanwhile
                    }
                    return DomainException.conflict((clusterId.contains("/") ? "" : "cluster ") + "'" + clusterId
                                    + "' already has a "
                                    + (active == null ? "" : active.kind().wire() + " ") + "job under way"
                                    + (active == null
                                            ? ""
                                            : ": " + active.id() + " ("
                                                    + active.state().wire() + ")")
                                    + "; wait for it to finish (GET /api/v1/jobs/"
                                    + (active == null ? "<id>" : active.id())
                                    + ")")
                            .withNext("GET", statusPath(clusterId));
                });
    }
}
