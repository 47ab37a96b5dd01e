package network.aios.bench;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import network.aios.api.Json;
import network.aios.member.desired.InfraNames;
import network.aios.server.KubeTestCluster;
import network.aios.server.TestServer;

/**
 * Rollout wall time of the AIOS infrastructure: one cluster, and N clusters at once (each on its own
 * real kube-apiserver, since the infrastructure's namespace and NodePorts are per cluster), beside what a user
 * would run with kubectl against the same API server, in the same run: one {@code kubectl apply -f} of the
 * rendered manifests ({@code GET .../infra/manifests}) and one {@code kubectl rollout status} of the four
 * Deployments, with the same readiness criterion (all four Deployments available, as Kubernetes reports it with
 * the kubelet stand-in). Goal: not slower than kubectl; N at once <= 3x one. Each round also times a pull-mode
 * rollout of another registration on the same API server ({@link PullRollout}).
 *
 * <p>Both sides are warm: each does one unmeasured round first (the control plane's JIT and connections;
 * kubectl's discovery cache, kept in a folder of the run's own). Every round is printed on its own line, and
 * the summary is of this run's rounds only.
 *
 * <p>Run: {@code mvn -q -B install -DskipTests && cd bench && mvn -q -B exec:java
 * -Dbench=network.aios.bench.RolloutBench [-Dclusters=5] [-Drounds=3]} (on the product's embedded PostgreSQL,
 * durable, unless -Ddurable=false). The output is kept in {@code bench/results/} ({@link Report}).
 */
public final class RolloutBench {
    /** Seconds until every job of the last rollout had applied all objects. */
    static final List<Double> APPLIED = new ArrayList<>();

    private static final List<String> DEPLOYMENTS =
            List.of("aios-controller", "aios-metrics", "aios-blocks", "aios-mgmt");

    public static void main(String[] args) throws Exception {
        System.exit(Report.run(RolloutBench.class, RolloutBench::run));
    }

    private static void run(Report report) throws Exception {
        int n = report.option("clusters", 5);
        int rounds = report.option("rounds", 3);
        System.out.println("kubectl: "
                + Report.run(List.of("kubectl", "version", "--client"))
                        .lines()
                        .findFirst()
                        .orElse("?")
                        .trim());
        List<KubeTestCluster> kubes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            KubeTestCluster k = KubeTestCluster.startLocal();
            k.prepare(List.of("node-1", "node-2"));
            kubes.add(k);
        }
        Path kubectlCache = report.scratch("kubectl-cache");
        // a kubelet stand-in per API server in use (in process, driven by a pod watch)
        network.aios.server.KubeletStandIn first = kubes.get(0).fakeKubelet(InfraNames.NAMESPACE, 3600);
        try (TestServer server = TestServer.on(report.database(16), report.scratch("server"), null, true, c -> c)) {
            for (int i = 0; i < n; i++) {
                server.post("/api/createCluster", TestServer.seedWithId("bench-" + i), server.adminToken);
            }
            Path manifests = manifests(server, kubes.get(0).admin, report.scratch("manifests"));
            Kubectl kubectl = new Kubectl(kubes.get(0), manifests, kubectlCache);
            System.out.printf(
                    "rollout benchmark: %d measured round(s) after one unmeasured round on each side (both warm),"
                            + " %d API server(s), %d cores%n"
                            + "  control plane: POST /create-cluster-infra until its job is Ready (polled every 20 ms)%n"
                            + "  kubectl: `kubectl apply -f %s` + `kubectl rollout status` of the 4 Deployments"
                            + " (2 processes)%n",
                    rounds, n, Runtime.getRuntime().availableProcessors(), manifests.getFileName());
            PullRollout pull = new PullRollout(server, kubes.get(0), report.scratch("pull"), "bench-pull");
            server.post("/api/createCluster", TestServer.seedWithId("bench-pull"), server.adminToken);
            rollout(server, kubes.subList(0, 1)); // warm-up, not measured
            kubectl.round(); // warm-up, not measured: kubectl's discovery cache
            pull.round(); // warm-up, not measured
            APPLIED.clear();
            List<Double> ours = new ArrayList<>();
            List<Double> theirs = new ArrayList<>();
            List<Double> pulled = new ArrayList<>();
            List<Double> agentStarted = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                // each pair in turn: control plane first in even rounds, kubectl first in odd ones
                boolean kubectlFirst = r % 2 == 1;
                if (kubectlFirst) {
                    theirs.add(kubectl.round());
                }
                ours.add(rollout(server, kubes.subList(0, 1)));
                if (!kubectlFirst) {
                    theirs.add(kubectl.round());
                }
                pulled.add(pull.round());
                agentStarted.add(pull.agentStarted);
                System.out.printf(
                        "round %2d: control plane %.3f s (everything applied after %.3f s), kubectl %.3f s;"
                                + " %s first; %s faster; pull mode %.3f s (agent started after %.3f s)%n",
                        r + 1,
                        ours.get(r),
                        APPLIED.get(r),
                        theirs.get(r),
                        kubectlFirst ? "kubectl" : "control plane",
                        ours.get(r) < theirs.get(r) ? "control plane" : "kubectl",
                        pulled.get(r),
                        agentStarted.get(r));
            }
            System.out.printf(
                    "pull mode, this run's %d rounds: median %.2f s from `kubectl apply -f` of the join manifest to"
                            + " ready (agent process started after median %.2f s), beside push %.2f s and kubectl"
                            + " %.2f s%n",
                    rounds, median(pulled), median(agentStarted), median(ours), median(theirs));
            double oneApplied = median(APPLIED);
            APPLIED.clear();
            double one = median(ours);
            double k = median(theirs);
            // paired rounds (each control-plane rollout beside the kubectl one of its round): how often the
            // control plane was faster, and how likely that many wins would be if neither were (sign test)
            int wins = 0;
            for (int r = 0; r < rounds; r++) {
                wins += ours.get(r) < theirs.get(r) ? 1 : 0;
            }
            double p = signTest(wins, rounds);
            System.out.printf(
                    "1 cluster, this run's %d rounds: control plane median %.2f s, kubectl median %.2f s (%.2fx);"
                            + " control plane faster in %d of %d (one-sided sign test p = %.4f)%n"
                            + "  goal: control plane <= kubectl: %s%n",
                    rounds,
                    one,
                    k,
                    one / k,
                    wins,
                    rounds,
                    p,
                    one > k
                            ? "NOT met"
                            : p < 0.05 ? "met, shown (p < 0.05)" : "met by the medians, not shown (p >= 0.05)");
            System.out.printf("  of which the control plane applying everything: median %.2f s%n", oneApplied);
            if (n > 1) { // N clusters at once
                List<network.aios.server.KubeletStandIn> others = new ArrayList<>();
                for (int i = 1; i < n; i++) {
                    others.add(kubes.get(i).fakeKubelet(InfraNames.NAMESPACE, 3600));
                }
                List<Double> many = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    many.add(rollout(server, kubes));
                    System.out.printf(
                            "round %2d: %d clusters at once %.3f s (everything applied after %.3f s)%n",
                            r + 1, n, many.get(r), APPLIED.get(r));
                }
                others.forEach(network.aios.server.KubeletStandIn::close);
                double manyApplied = median(APPLIED);
                double all = median(many);
                System.out.printf(
                        "%d clusters at once: median %.2f s   goal: <= 3 x one (%.2f s): %s%n",
                        n, all, 3 * one, all <= 3 * one ? "met" : "NOT met");
                System.out.printf(
                        "  of which the control plane applying everything: %d at once %.2f s%n", n, manyApplied);
            }
            report.databaseSummary(server.db);
        } finally {
            first.destroy();
        }
    }

    /** Creates infra on every given cluster at once; seconds until all are Ready. Then removes it. */
    static double rollout(TestServer server, List<KubeTestCluster> kubes) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(kubes.size());
        long t0 = System.nanoTime();
        List<Future<String>> jobs = new ArrayList<>();
        for (int i = 0; i < kubes.size(); i++) {
            String body = Json.MAPPER.writeValueAsString(Json.object()
                    .put("cluster_id", "bench-" + i)
                    .put("kube_config_data", kubes.get(i).ownerKubeconfigYaml()));
            jobs.add(pool.submit(() -> server.post("/create-cluster-infra", body, server.adminToken)
                    .text("/job_id")));
        }
        List<String> ids = new ArrayList<>();
        for (Future<String> f : jobs) {
            ids.add(f.get());
        }
        // the control plane's own part: everything applied (the rest is Kubernetes scheduling and the kubelet)
        for (String id : ids) {
            awaitJob(server, id, job -> {
                String st = job.get("state").asString();
                return st.equals("WaitingReady") || st.equals("Ready") || st.equals("Failed");
            });
        }
        APPLIED.add((System.nanoTime() - t0) / 1e9);
        for (String id : ids) {
            awaitJob(server, id, job -> job.hasNonNull("finishedAt"));
            String state = server.get("/api/v1/jobs/" + id, server.adminToken).text("/state");
            if (!state.equals("Ready")) {
                throw new IllegalStateException("job " + id + " ended " + state);
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        for (int i = 0; i < kubes.size(); i++) {
            String removal = server.send("DELETE", "/api/v1/clusters/bench-" + i + "/infra", null, server.adminToken)
                    .text("/job_id");
            try (AutoCloseable kubelet = kubes.get(i).podTerminator(InfraNames.NAMESPACE)) {
                KubeTestCluster.await(
                        () -> server.get("/api/v1/jobs/" + removal, server.adminToken)
                                .body()
                                .hasNonNull("finishedAt"),
                        Duration.ofMinutes(5),
                        "removal " + removal);
            }
            kubes.get(i).awaitNamespaceGone(InfraNames.NAMESPACE);
        }
        return secs;
    }

    /**
     * The rendered manifests ({@code GET .../infra/manifests}, what {@code aios cluster infra render} shows) as a
     * file a user would apply. One change: the ownerReferences by which the control plane ties its cluster-scoped
     * objects to the namespace are taken out, since their uid is a placeholder that exists only once the namespace
     * does (a user applying the file by hand would drop them; the control plane looks the uid up itself, which is
     * part of its own rollout). Secret values are placeholders too: they are applied as they are.
     */
    static Path manifests(TestServer server, io.fabric8.kubernetes.client.KubernetesClient parser, Path dir)
            throws Exception {
        java.net.http.HttpResponse<byte[]> r = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(
                                        java.net.URI.create(server.url() + "/api/v1/clusters/bench-0/infra/manifests"))
                                .header("Authorization", "Bearer " + server.adminToken)
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET .../infra/manifests: HTTP " + r.statusCode());
        }
        // parsing only: load(...).items() sends no request
        List<HasMetadata> objects =
                parser.load(new ByteArrayInputStream(r.body())).items();
        StringBuilder yaml = new StringBuilder();
        int owned = 0;
        for (HasMetadata o : objects) {
            if (o.getMetadata().getOwnerReferences() != null
                    && !o.getMetadata().getOwnerReferences().isEmpty()) {
                owned++;
                o.getMetadata().setOwnerReferences(null);
            }
            String doc = Serialization.asYaml(o);
            yaml.append(doc.startsWith("---") ? doc : "---\n" + doc);
        }
        Path file = dir.resolve("aios-infra.yaml");
        Files.writeString(file, yaml);
        System.out.printf(
                "manifests: %d objects (GET .../infra/manifests), %d ownerReferences to the namespace taken out%n",
                objects.size(), owned);
        return file;
    }

    /** What a user runs with kubectl: one apply of the file, one rollout status of the Deployments. */
    record Kubectl(KubeTestCluster kube, Path manifests, Path cacheDir) {
        /** Seconds from the apply's start to rollout status's end; then removes what was applied. */
        double round() throws Exception {
            String kc = kube.kubeconfig.toString();
            List<String> status = new ArrayList<>(List.of(
                    "kubectl",
                    "--kubeconfig",
                    kc,
                    "--cache-dir",
                    cacheDir.toString(),
                    "-n",
                    InfraNames.NAMESPACE,
                    "rollout",
                    "status",
                    "--timeout=300s"));
            DEPLOYMENTS.forEach(d -> status.add("deployment/" + d));
            long t0 = System.nanoTime();
            kubectl(List.of(
                    "kubectl",
                    "--kubeconfig",
                    kc,
                    "--cache-dir",
                    cacheDir.toString(),
                    "apply",
                    "-f",
                    manifests.toString()));
            kubectl(status);
            double secs = (System.nanoTime() - t0) / 1e9;
            // the same criterion as the control plane's Ready: every Deployment available, as Kubernetes reports it
            for (String d : DEPLOYMENTS) {
                var dep = kube.admin
                        .apps()
                        .deployments()
                        .inNamespace(InfraNames.NAMESPACE)
                        .withName(d)
                        .get();
                Integer available = dep == null ? null : dep.getStatus().getAvailableReplicas();
                if (available == null || available < dep.getSpec().getReplicas()) {
                    throw new IllegalStateException("kubectl rollout status returned before " + d + " was available");
                }
            }
            kubectl(List.of(
                    "kubectl", "--kubeconfig", kc, "delete", "namespace", InfraNames.NAMESPACE, "--wait=false"));
            kube.awaitNamespaceGone(InfraNames.NAMESPACE);
            kubectl(List.of(
                    "kubectl",
                    "--kubeconfig",
                    kc,
                    "delete",
                    "clusterrole,clusterrolebinding",
                    "-l",
                    InfraNames.CLUSTER_LABEL + "=bench-0",
                    "--ignore-not-found"));
            return secs;
        }
    }

    static String kubectl(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + ": " + out);
        }
        return out;
    }

    /**
     * Polls a job every 20 ms (not the tests' 100 ms: a coarse poll would add its half-period to every
     * control-plane round, while kubectl's side ends the moment {@code rollout status} exits).
     */
    static void awaitJob(
            TestServer server, String id, java.util.function.Predicate<tools.jackson.databind.JsonNode> done)
            throws InterruptedException {
        long end = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (!done.test(server.get("/api/v1/jobs/" + id, server.adminToken).body())) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("job " + id + " did not get there in 5 min");
            }
            Thread.sleep(20);
        }
    }

    /** P(at least {@code wins} of {@code n} fair coin flips come up heads). */
    static double signTest(int wins, int n) {
        double p = 0;
        for (int i = wins; i <= n; i++) {
            double c = 1;
            for (int j = 0; j < i; j++) {
                c = c * (n - j) / (j + 1);
            }
            p += c;
        }
        return p / Math.pow(2, n);
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(Double::compare);
        return Math.round(s.get(s.size() / 2) * 100) / 100.0;
    }
}
