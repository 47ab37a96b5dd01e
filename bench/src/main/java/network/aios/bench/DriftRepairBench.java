package network.aios.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import network.aios.api.Json;
import network.aios.member.desired.InfraNames;
import network.aios.server.KubeTestCluster;
import network.aios.server.TestServer;

/**
 * Drift repair: the time from deleting a managed Service on the member cluster to its return by the
 * periodic resync, on a real kube-apiserver. With a resync interval R the bound is R plus one scan
 * (R/5, at least 1 s, at most 60 s) plus the job's apply; the default R is 5 minutes, so this
 * measures at {@code -Dresync=10} seconds (the figure to compare with the bound) and prints the bound
 * the default gives.
 *
 * <p>Run: {@code mvn -q -B install -DskipTests && cd bench && mvn -q -B exec:java
 * -Dbench=network.aios.bench.DriftRepairBench [-Dresync=10] [-Drounds=5]} (on the product's embedded PostgreSQL,
 * durable, unless -Ddurable=false). The output is kept in {@code bench/results/} ({@link Report}).
 */
public final class DriftRepairBench {
    public static void main(String[] args) throws Exception {
        System.exit(Report.run(DriftRepairBench.class, DriftRepairBench::run));
    }

    private static void run(Report report) throws Exception {
        int resync = report.option("resync", 10);
        int rounds = report.option("rounds", 5);
        KubeTestCluster kube = KubeTestCluster.shared();
        kube.prepare(List.of("node-1", "node-2"));
        kube.awaitNamespaceGone(InfraNames.NAMESPACE);
        network.aios.server.KubeletStandIn kubelet = kube.fakeKubelet(InfraNames.NAMESPACE, 3600);
        try (TestServer server = TestServer.on(
                report.database(16),
                report.scratch("server"),
                null,
                true,
                c -> c.withResyncEvery(Duration.ofSeconds(resync)))) {
            server.post("/api/createCluster", TestServer.seedWithId("drift-bench"), server.adminToken);
            String job = server.post(
                            "/create-cluster-infra",
                            "{\"cluster_id\": \"drift-bench\", \"kube_config_data\": "
                                    + Json.MAPPER.writeValueAsString(kube.ownerKubeconfigYaml()) + "}",
                            server.adminToken)
                    .text("/job_id");
            KubeTestCluster.await(
                    () -> server.get("/api/v1/jobs/" + job, server.adminToken)
                            .body()
                            .hasNonNull("finishedAt"),
                    Duration.ofMinutes(3),
                    "the infrastructure");
            List<Double> seconds = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                String uid = kube.admin
                        .services()
                        .inNamespace(InfraNames.NAMESPACE)
                        .withName("aios-mgmt")
                        .get()
                        .getMetadata()
                        .getUid();
                long start = System.nanoTime();
                kube.admin
                        .services()
                        .inNamespace(InfraNames.NAMESPACE)
                        .withName("aios-mgmt")
                        .delete();
                KubeTestCluster.await(
                        () -> {
                            var s = kube.admin
                                    .services()
                                    .inNamespace(InfraNames.NAMESPACE)
                                    .withName("aios-mgmt")
                                    .get();
                            return s != null && !s.getMetadata().getUid().equals(uid);
                        },
                        Duration.ofSeconds(resync * 3L + 60),
                        "the Service back");
                seconds.add((System.nanoTime() - start) / 1e9);
                System.out.printf("round %d: the Service back after %.1f s%n", r + 1, seconds.get(r));
            }
            double scan = Math.max(1, Math.min(60, resync / 5.0));
            System.out.printf(
                    "drift repair (deleted Service back), resync %d s, %d rounds: median %.1f s, max %.1f s "
                            + "(bound %.0f s = resync + scan + apply)%n",
                    resync,
                    rounds,
                    RolloutBench.median(seconds),
                    seconds.stream().mapToDouble(d -> d).max().orElse(0),
                    resync + scan + 2);
            System.out.printf("at the default resync (300 s) the bound is %.0f s%n", 300 + 60.0 + 2);
            try (AutoCloseable kubeletPart = kube.podTerminator(InfraNames.NAMESPACE)) {
                String removal = server.post(
                                "/remove-cluster-infra", "{\"cluster_id\": \"drift-bench\"}", server.adminToken)
                        .text("/job_id");
                KubeTestCluster.await(
                        () -> server.get("/api/v1/jobs/" + removal, server.adminToken)
                                .body()
                                .hasNonNull("finishedAt"),
                        Duration.ofMinutes(3),
                        "the removal");
            }
            report.databaseSummary(server.db);
        } finally {
            kubelet.destroy();
        }
    }
}
