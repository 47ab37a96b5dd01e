package network.aios.bench;

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
import network.aios.infra.InfraNames;
import network.aios.server.KubeTestCluster;
import network.aios.server.TestServer;

/**
 * Rollout wall time of the AIOS infrastructure: one cluster, and N clusters at once (each on its own
 * real kube-apiserver, since the infrastructure's namespace and NodePorts are per cluster), beside
 * {@code kubectl apply -f} of the same rendered manifests against the same API server, in the same
 * run, with the same readiness criterion (all four Deployments available, as reported by Kubernetes
 * with the kubelet stand-in). Goal: not slower than kubectl; N at once <= 3x one.
 *
 * <p>Run: {@code mvn -q -B install -DskipTests && cd bench && mvn -q -B exec:java
 * -Dbench=network.aios.bench.RolloutBench [-Dclusters=5] [-Drounds=3]}
 */
public final class RolloutBench {
    /** Seconds until every job of the last rollout had applied all objects. */
    static final List<Double> APPLIED = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        int n = Integer.getInteger("clusters", 5);
        int rounds = Integer.getInteger("rounds", 3);
        List<KubeTestCluster> kubes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            KubeTestCluster k = KubeTestCluster.startLocal();
            k.prepare(List.of("node-1", "node-2"));
            kubes.add(k);
        }
        // a kubelet stand-in per API server in use (in process, driven by a pod watch)
        network.aios.server.KubeletStandIn first = kubes.get(0).fakeKubelet(InfraNames.NAMESPACE, 3600);
        try (TestServer server = new TestServer()) {
            for (int i = 0; i < n; i++) {
                server.post("/api/createCluster", TestServer.seedWithId("bench-" + i), server.adminToken);
            }
            System.out.printf(
                    "rollout benchmark: %d measured round(s) after a warm-up, %d API servers, %d cores%n",
                    rounds, n, Runtime.getRuntime().availableProcessors());
            List<Double> ours = new ArrayList<>();
            List<Double> kubectl = new ArrayList<>();
            List<Double> many = new ArrayList<>();
            rollout(server, kubes.subList(0, 1)); // warm-up (JIT), not measured
            kubectlApply(server, kubes.get(0));
            APPLIED.clear();
            for (int r = 0; r < rounds; r++) {
                // each pair in turn: control plane first in even rounds, kubectl first in odd ones
                if (r % 2 == 1) {
                    kubectl.add(kubectlApply(server, kubes.get(0)));
                }
                ours.add(rollout(server, kubes.subList(0, 1)));
                if (r % 2 == 0) {
                    kubectl.add(kubectlApply(server, kubes.get(0)));
                }
            }
            double oneApplied = median(APPLIED);
            APPLIED.clear();
            double one = median(ours);
            double k = median(kubectl);
            // paired rounds (each control-plane rollout beside the kubectl one of its round): how often the
            // control plane was faster, and how likely that many wins would be if neither were (sign test)
            int wins = 0;
            for (int r = 0; r < rounds; r++) {
                wins += ours.get(r) < kubectl.get(r) ? 1 : 0;
            }
            double p = signTest(wins, rounds);
            System.out.printf("1 cluster, control plane:        %6.2f s (median of %s)%n", one, ours);
            System.out.printf("1 cluster, kubectl apply -f:     %6.2f s (median of %s)%n", k, kubectl);
            System.out.printf(
                    "  paired rounds: control plane faster in %d of %d (one-sided sign test p = %.4f)%n"
                            + "  goal: control plane <= kubectl: %s%n",
                    wins,
                    rounds,
                    p,
                    one > k
                            ? "NOT met"
                            : p < 0.05 ? "met, shown (p < 0.05)" : "met by the medians, not shown (p >= 0.05)");
            System.out.printf("  of which the control plane applying everything: %.2f s%n", oneApplied);
            if (n > 1) { // N clusters at once
                List<network.aios.server.KubeletStandIn> others = new ArrayList<>();
                for (int i = 1; i < n; i++) {
                    others.add(kubes.get(i).fakeKubelet(InfraNames.NAMESPACE, 3600));
                }
                for (int r = 0; r < rounds; r++) {
                    many.add(rollout(server, kubes));
                }
                others.forEach(network.aios.server.KubeletStandIn::close);
                double manyApplied = median(APPLIED);
                double all = median(many);
                System.out.printf(
                        "%d clusters at once:              %6.2f s (median of %s)   goal: <= 3 x one (%.2f s): %s%n",
                        n, all, many, 3 * one, all <= 3 * one ? "met" : "NOT met");
                System.out.printf(
                        "  of which the control plane applying everything: %d at once %.2f s%n", n, manyApplied);
            }
        } finally {
            first.destroy();
        }
        System.exit(0);
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

    /** kubectl apply -f of the same manifests (namespace first, for the owner uid), then rollout status. */
    static double kubectlApply(TestServer server, KubeTestCluster kube) throws Exception {
        String yaml = new String(
                java.net.http.HttpClient.newHttpClient()
                        .send(
                                java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                                                server.url() + "/api/v1/clusters/bench-0/infra/manifests"))
                                        .header("Authorization", "Bearer " + server.adminToken)
                                        .build(),
                                java.net.http.HttpResponse.BodyHandlers.ofByteArray())
                        .body(),
                StandardCharsets.UTF_8);
        int cut = yaml.indexOf("---", 3);
        Path ns = Files.createTempFile("ns", ".yaml");
        Files.writeString(ns, yaml.substring(0, cut));
        String kc = kube.kubeconfig.toString();
        long t0 = System.nanoTime();
        kubectl(List.of("kubectl", "--kubeconfig", kc, "apply", "-f", ns.toString()));
        String uid = kubectl(List.of(
                        "kubectl",
                        "--kubeconfig",
                        kc,
                        "get",
                        "namespace",
                        InfraNames.NAMESPACE,
                        "-o",
                        "jsonpath={.metadata.uid}"))
                .trim();
        Path rest = Files.createTempFile("rest", ".yaml");
        Files.writeString(rest, yaml.substring(cut).replace("<uid of namespace aios-system>", uid));
        kubectl(List.of("kubectl", "--kubeconfig", kc, "apply", "-f", rest.toString()));
        for (String d : List.of("aios-controller", "aios-metrics", "aios-blocks", "aios-mgmt")) {
            kubectl(List.of(
                    "kubectl",
                    "--kubeconfig",
                    kc,
                    "-n",
                    InfraNames.NAMESPACE,
                    "rollout",
                    "status",
                    "deployment/" + d,
                    "--timeout=300s"));
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        kubectl(List.of("kubectl", "--kubeconfig", kc, "delete", "namespace", InfraNames.NAMESPACE, "--wait=false"));
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
