package network.aios.server.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import network.aios.member.desired.GatewayRoute;
import network.aios.member.desired.InfraNames;
import network.aios.server.KubeTestCluster;
import network.aios.server.TestServer;
import network.aios.server.TestServer.Answer;
import network.aios.store.JobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reconcile, not just apply: someone deletes a managed Service or edits a managed Deployment on the
 * member cluster, and the periodic resync puts them back and says what it repaired (job receipt,
 * audit); an object an earlier version made and the desired state no longer has is pruned; a resync
 * that finds everything in place leaves no job behind.
 */
class DriftRepairIT {
    static final String CLUSTER = "drifted";
    static final Duration RESYNC = Duration.ofSeconds(2);
    static KubeTestCluster kube;
    static network.aios.server.KubeletStandIn kubelet;
    static TestServer server;

    @BeforeAll
    static void ready() {
        kube = KubeTestCluster.shared();
        kube.prepare(List.of("node-1", "node-2"));
        kube.awaitNamespaceGone(InfraNames.NAMESPACE);
        kubelet = kube.fakeKubelet(InfraNames.NAMESPACE, 600);
        server = TestServer.configured(c -> c.withResyncEvery(RESYNC));
        assertThat(server.post("/api/createCluster", TestServer.seedWithId(CLUSTER), server.adminToken)
                        .status())
                .isEqualTo(201);
        Answer created = server.post(
                "/create-cluster-infra",
                InfraUpgradeIT.createBody(kube).replace(InfraUpgradeIT.CLUSTER, CLUSTER),
                server.adminToken);
        assertThat(InfraUpgradeIT.awaitJob(server, created.text("/job_id"))
                        .get("state")
                        .asString())
                .isEqualTo("Ready");
    }

    @AfterAll
    static void remove() throws Exception {
        try (AutoCloseable kubeletPart = kube.podTerminator(InfraNames.NAMESPACE)) {
            Answer removed =
                    server.post("/remove-cluster-infra", "{\"cluster_id\": \"" + CLUSTER + "\"}", server.adminToken);
            assertThat(InfraUpgradeIT.awaitJob(server, removed.text("/job_id"))
                            .get("state")
                            .asString())
                    .isEqualTo("Removed");
        }
        kube.awaitNamespaceGone(InfraNames.NAMESPACE);
        kubelet.destroy();
        server.close();
    }

    @Test
    void aDeletedServiceAndAnEditedDeploymentComeBackAndTheRepairIsRecorded() {
        String uid = kube.admin
                .services()
                .inNamespace(InfraNames.NAMESPACE)
                .withName("aios-mgmt")
                .get()
                .getMetadata()
                .getUid();
        kube.admin
                .services()
                .inNamespace(InfraNames.NAMESPACE)
                .withName("aios-mgmt")
                .delete();
        kube.admin
                .apps()
                .deployments()
                .inNamespace(InfraNames.NAMESPACE)
                .withName("aios-controller")
                .scale(3);

        KubeTestCluster.await(
                () -> {
                    var s = kube.admin
                            .services()
                            .inNamespace(InfraNames.NAMESPACE)
                            .withName("aios-mgmt")
                            .get();
                    var d = kube.admin
                            .apps()
                            .deployments()
                            .inNamespace(InfraNames.NAMESPACE)
                            .withName("aios-controller")
                            .get();
                    return s != null
                            && !s.getMetadata().getUid().equals(uid)
                            && d.getSpec().getReplicas() == 1;
                },
                Duration.ofSeconds(60),
                "the resync to bring the Service back and the replicas to 1");
        KubeTestCluster.await(
                () -> repairs().contains("\"Service aios-system/aios-mgmt\", \"outcome\": \"recreated\"")
                        && repairs().contains("\"Deployment aios-system/aios-controller\", \"outcome\": \"reverted\""),
                Duration.ofSeconds(30),
                "the repairs to be recorded");
        // nothing else was counted as drift: the Secrets, ConfigMaps and the rest applied as they were
        assertThat(repairs()).doesNotContain("Secret").doesNotContain("ConfigMap aios-system/aios-cluster");
        long audited = server.db
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT count(*) FROM audit_log WHERE action = "
                                + "'infra.resync.changed' AND target = :c AND actor = 'resync'")
                        .bind("c", CLUSTER)
                        .mapTo(Long.class)
                        .one());
        assertThat(audited).isPositive();
        // afterwards, resyncs find everything in place and leave no job behind
        KubeTestCluster.await(
                () -> idle() && repairs().contains("reverted"),
                Duration.ofSeconds(30),
                "the repairing resync to finish");
        long jobs = resyncJobs();
        Instant repaired = Instant.now();
        KubeTestCluster.await(
                () -> syncedAt().isAfter(repaired.plus(RESYNC.multipliedBy(2))) && idle(),
                Duration.ofSeconds(30),
                "two more resyncs");
        assertThat(resyncJobs()).as("quiet resyncs are forgotten").isEqualTo(jobs);
    }

    @Test
    void anObjectTheDesiredStateNoLongerHasIsPruned() {
        // as an earlier version would have left it: made by the control plane and recorded in the inventory
        kube.admin
                .configMaps()
                .inNamespace(InfraNames.NAMESPACE)
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("aios-obsolete")
                        .withNamespace(InfraNames.NAMESPACE)
                        .withLabels(InfraNames.labels(CLUSTER)) // an earlier version labelled what it made
                        .endMetadata()
                        .withData(Map.of("k", "v"))
                        .build())
                .create();
        new JobStore(server.db)
                .inventory()
                .recordIntents(
                        CLUSTER,
                        List.of(new network.aios.store.InventoryStore.Intent(
                                190 /* in the services' range of the inventory (100..999) */,
                                "v1",
                                "ConfigMap",
                                InfraNames.NAMESPACE,
                                "aios-obsolete")),
                        Instant.now());

        KubeTestCluster.await(
                () -> kube.admin
                                .configMaps()
                                .inNamespace(InfraNames.NAMESPACE)
                                .withName("aios-obsolete")
                                .get()
                        == null,
                Duration.ofSeconds(60),
                "the obsolete ConfigMap pruned");
        KubeTestCluster.await(
                () -> new JobStore(server.db)
                        .inventory().list(CLUSTER).stream()
                                .noneMatch(i -> i.name().equals("aios-obsolete")),
                Duration.ofSeconds(10),
                "its inventory row gone");
        KubeTestCluster.await(
                () -> repairs().contains("pruned") && repairs().contains("ConfigMap aios-system/aios-obsolete"),
                Duration.ofSeconds(10),
                "the pruning to be recorded");
        // what the control plane manages is untouched
        assertThat(kube.admin
                        .configMaps()
                        .inNamespace(InfraNames.NAMESPACE)
                        .withName(InfraNames.CLUSTER_CONFIGMAP)
                        .get())
                .isNotNull();
    }

    @Test
    void aDeletedRouteMappingComesBackAndOneWhoseRouteIsGoneIsPruned() {
        Answer added = server.post(
                "/api/v1/clusters/" + CLUSTER + "/routes",
                "{\"kind\": \"task\", \"id\": \"drift-task\", \"service\": \"inference.default:8080\"}",
                server.adminToken);
        assertThat(added.status()).as(added.body().toString()).isEqualTo(201);
        var mapping = new GatewayRoute(GatewayRoute.Kind.fromWire("task"), "drift-task", "x").mapping(CLUSTER);
        var mappings = kube.admin
                .genericKubernetesResources(mapping.getApiVersion(), mapping.getKind())
                .inNamespace(InfraNames.NAMESPACE);
        // applied by the engine (a resync queued by the change), not by the request
        KubeTestCluster.await(
                () -> mappings.withName(mapping.getMetadata().getName()).get() != null,
                Duration.ofSeconds(60),
                "the route's Mapping to be applied");
        String uid = mappings.withName(mapping.getMetadata().getName())
                .get()
                .getMetadata()
                .getUid();
        mappings.withName(mapping.getMetadata().getName()).delete();
        // and a route Mapping of ours whose route no longer exists, in no inventory (a removal raced a resync)
        var ghost =
                new GatewayRoute(GatewayRoute.Kind.fromWire("task"), "ghost-task", "ghost.default:80").mapping(CLUSTER);
        mappings.resource(ghost).create();

        KubeTestCluster.await(
                () -> {
                    var back =
                            mappings.withName(mapping.getMetadata().getName()).get();
                    return back != null
                            && !back.getMetadata().getUid().equals(uid)
                            && mappings.withName(ghost.getMetadata().getName()).get() == null;
                },
                Duration.ofSeconds(60),
                "the route's Mapping back and the ghost's pruned");
        KubeTestCluster.await(
                () -> repairs()
                                .contains("Mapping aios-system/"
                                        + mapping.getMetadata().getName() + "\", \"outcome\": " + "\"recreated\"")
                        && repairs()
                                .contains("Mapping aios-system/"
                                        + ghost.getMetadata().getName()),
                Duration.ofSeconds(10),
                "the repairs to be recorded");
        assertThat(server.get("/api/v1/clusters/" + CLUSTER + "/routes", server.adminToken)
                        .body()
                        .toString())
                .contains("drift-task")
                .doesNotContain("ghost-task");
    }

    /** Every resync job's receipt, as text. */
    private static String repairs() {
        return server.db
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT coalesce(string_agg(receipt::text, ' '), '') "
                                + "FROM infra_jobs WHERE cluster_id = :c AND kind = 'resync'")
                        .bind("c", CLUSTER)
                        .mapTo(String.class)
                        .one());
    }

    private static boolean idle() {
        return server.db
                        .jdbi()
                        .withHandle(h -> h.createQuery("SELECT count(*) FROM infra_jobs WHERE cluster_id = :c "
                                        + "AND finished_at IS NULL")
                                .bind("c", CLUSTER)
                                .mapTo(Long.class)
                                .one())
                == 0;
    }

    private static long resyncJobs() {
        return server.db
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT count(*) FROM infra_jobs WHERE cluster_id = :c "
                                + "AND kind = 'resync' AND finished_at IS NOT NULL")
                        .bind("c", CLUSTER)
                        .mapTo(Long.class)
                        .one());
    }

    private static Instant syncedAt() {
        return server.db
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT synced_at FROM infra_applied WHERE target = :c")
                        .bind("c", CLUSTER)
                        .mapTo(java.sql.Timestamp.class)
                        .one())
                .toInstant();
    }
}
