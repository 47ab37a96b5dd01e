package network.aios.server.engine;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import network.aios.api.Json;
import network.aios.api.kubeconfig.KubeconfigException;
import network.aios.member.ClusterOps;
import network.aios.member.Kubeconfigs;
import network.aios.member.desired.ObjectRef;
import network.aios.server.security.SecretBox;
import network.aios.store.InfraJob;
import network.aios.store.JobStore;
import network.aios.store.Sealed;

/**
 * How a job reaches a member cluster — with the owner's kubeconfig (sealed in the job, until
 * bootstrap is done) or with the control plane's own stored credential — and how it applies objects
 * so that the inventory never misses one.
 */
final class MemberAccess {
    static final Duration PROGRESS_EVERY = Duration.ofMillis(200);

    private final JobStore store;
    private final SecretBox box;
    private final ClusterConnector connector;
    private final Clock clock;

    MemberAccess(JobStore store, SecretBox box, ClusterConnector connector, Clock clock) {
        this.store = store;
        this.box = box;
        this.connector = connector;
        this.clock = clock;
    }

    /** Context string binding a sealed admin kubeconfig to its job. */
    static String adminContext(String jobId) {
        return "admin-kubeconfig:" + jobId;
    }

    static String credentialContext(String clusterId) {
        return "cluster-credential:" + clusterId;
    }

    /** A client with the control plane's own credential on the cluster, shared between uses. */
    ClusterOps open(Credential c) {
        return connector.openShared(tokenConfig(c));
    }

    Optional<ClusterOps> removalOps(InfraJob job) throws KubeconfigException {
        if (job.adminSealed() != null) {
            return Optional.of(adminOps(job));
        }
        return credential(job.key()).map(this::open);
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    ClusterOps adminOps(InfraJob job) throws KubeconfigException {
        return connector.open(adminKubeconfig(job).config());
    }

    Kubeconfigs.Parsed adminKubeconfig(InfraJob job) throws KubeconfigException {
        if (job.adminSealed() == null) {
            throw new KubeconfigException(List.of());
        }
        byte[] text = box.open(new Sealed(job.adminKeyId(), job.adminSealed()), adminContext(job.id()));
        // our own canonical JSON, written at intake after every check (insecure only if the operator allowed it)
        return Kubeconfigs.parse(
                Json.MAPPER.getNodeFactory().stringNode(new String(text, StandardCharsets.UTF_8)),
                "/kube_config_data",
                true);
    }

    Optional<Credential> credential(String clusterId) {
        return store.credentials().get(clusterId).map(s -> Credential.from(box.open(s, credentialContext(clusterId))));
    }

    static Config tokenConfig(Credential c) {
        return Kubeconfigs.forToken(c.server(), c.caData(), c.insecure(), c.token());
    }

    /**
     * Records the intent for all objects first (so the inventory never misses what might exist), applies
     * them in waves ({@link Waves}), then records the uids of those applied and the revisions it left them at. Progress is written at most every {@link #PROGRESS_EVERY},
     * which also renews the lease.
     */
    List<ClusterOps.Applied> applyRecorded(
            ClusterOps ops,
            InfraJob job,
            String lease,
            network.aios.store.JobState state,
            int firstSeq,
            List<HasMetadata> objects) {
        Instant[] lastProgress = {clock.instant()};
        return applyRecorded(ops, job.key(), firstSeq, objects, (done, ref) -> {
            if (Duration.between(lastProgress[0], clock.instant()).compareTo(PROGRESS_EVERY) >= 0) {
                lastProgress[0] = clock.instant();
                store.progress(
                        job.id(),
                        lease,
                        state,
                        done,
                        objects.size(),
                        "applying " + done + " of " + objects.size() + ": " + ref,
                        lastProgress[0],
                        JobRunner.LEASE);
            }
        });
    }

    /** As above for any target key, telling {@code progress} after each object (a route: nobody). */
    List<ClusterOps.Applied> applyRecorded(
            ClusterOps ops,
            String key,
            int firstSeq,
            List<HasMetadata> objects,
            java.util.function.BiConsumer<Integer, ObjectRef> progress) {
        List<network.aios.store.InventoryStore.Intent> intents = new java.util.ArrayList<>();
        for (int i = 0; i < objects.size(); i++) {
            HasMetadata o = objects.get(i);
            intents.add(new network.aios.store.InventoryStore.Intent(
                    firstSeq + i,
                    o.getApiVersion(),
                    o.getKind(),
                    o.getMetadata().getNamespace(),
                    o.getMetadata().getName()));
        }
        store.inventory().recordIntents(key, intents, clock.instant());
        ClusterOps.Applied[] refs = new ClusterOps.Applied[objects.size()];
        List<network.aios.store.InventoryStore.Intent> done = new java.util.ArrayList<>();
        List<String> uids = new java.util.ArrayList<>();
        List<String> revisions = new java.util.ArrayList<>();
        try {
            Waves.apply(ops, objects, (i, applied) -> {
                refs[i] = applied;
                done.add(intents.get(i));
                uids.add(applied.ref().uid());
                revisions.add(applied.revision());
                progress.accept(done.size(), applied.ref());
            });
        } finally {
            store.inventory().recordApplied(key, done, uids, revisions);
        }
        return List.of(refs);
    }
}
