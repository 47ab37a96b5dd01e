package network.aios.server;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import network.aios.api.Json;
import tools.jackson.databind.node.ObjectNode;

/**
 * A real kube-apiserver for integration tests: the one AIOS_IT_KUBECONFIG points at (kind, a real
 * cluster), or one started from ../shared/k8s (etcd + kube-apiserver + controller-manager on
 * loopback) once per test JVM and stopped at exit. Also the seed's prerequisites on it (nodes
 * labelled nodeID, Ambassador's Service and Mapping CRD) and a kubelet stand-in.
 */
public final class KubeTestCluster {
    private static KubeTestCluster shared;

    public final Path kubeconfig;
    public final KubernetesClient admin;
    private final Path sharedK8s;

    private KubeTestCluster(Path kubeconfig, Path sharedK8s) {
        this.kubeconfig = kubeconfig;
        this.sharedK8s = sharedK8s;
        this.admin = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(kubeconfig.toFile()))
                .build();
    }

    public static synchronized KubeTestCluster shared() {
        if (shared == null) {
            shared = start();
        }
        return shared;
    }

    /** ../shared/k8s (or AIOS_SHARED_K8S) when it has up.sh, else null. */
    public static Path sharedK8sDir() {
        String env = System.getenv("AIOS_SHARED_K8S");
        Path p = env != null
                ? Path.of(env)
                : Path.of("..", "..", "shared", "k8s").toAbsolutePath().normalize();
        return Files.exists(p.resolve("up.sh")) ? p : null;
    }

    private static KubeTestCluster start() {
        String env = System.getenv("AIOS_IT_KUBECONFIG");
        if (env != null && !env.isBlank()) {
            TestLocks.holdExclusively(Path.of(env));
            return new KubeTestCluster(Path.of(env), sharedK8sDir());
        }
        return startLocal();
    }

    /** A new API server of its own on loopback (benchmarks start several), stopped at JVM exit. */
    public static KubeTestCluster startLocal() {
        return startLocal(java.util.Map.of());
    }

    /**
     * As above, {@code up.sh} run with {@code env} added (e.g. {@code AIOS_KUBE_PSP=restricted}: an API server
     * that enforces a restricted PodSecurityPolicy).
     */
    public static KubeTestCluster startLocal(java.util.Map<String, String> env) {
        Path tools = sharedK8sDir();
        if (tools == null) {
            throw new IllegalStateException("no Kubernetes API server for the integration tests: set "
                    + "AIOS_IT_KUBECONFIG to a kubeconfig, or run next to ../shared/k8s (see README)");
        }
        try {
            Path state = Files.createTempDirectory("aios-kube");
            int base = TestLocks.portRange();
            String out = run(
                            List.of(
                                    "bash",
                                    tools.resolve("up.sh").toString(),
                                    state.toString(),
                                    Integer.toString(base)),
                            Duration.ofMinutes(15),
                            env)
                    .trim();
            Path kubeconfig = Path.of(out.substring(out.lastIndexOf('\n') + 1).trim());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    run(
                            List.of("bash", tools.resolve("down.sh").toString(), state.toString(), "--wipe"),
                            Duration.ofSeconds(30));
                } catch (RuntimeException ignored) {
                    // best effort at JVM exit
                }
            }));
            KubeTestCluster c = new KubeTestCluster(kubeconfig, tools);
            await(
                    () -> {
                        try {
                            return c.admin.namespaces().withName("default").get() != null
                                    && c.admin
                                                    .serviceAccounts()
                                                    .inNamespace("default")
                                                    .withName("default")
                                                    .get()
                                            != null;
                        } catch (RuntimeException e) {
                            return false;
                        }
                    },
                    Duration.ofSeconds(60),
                    "the test API server to come up");
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String run(List<String> cmd, Duration timeout) {
        return run(cmd, timeout, java.util.Map.of());
    }

    static String run(List<String> cmd, Duration timeout, java.util.Map<String, String> env) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(env);
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(
                        String.join(" ", cmd) + " failed:\n" + new String(out, StandardCharsets.UTF_8));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Polls a condition until it holds or the deadline passes; fails with what it waited for. */
    public static void await(BooleanSupplier condition, Duration timeout, String what) {
        Instant end = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(end)) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    /** The admin kubeconfig as an owner would hand it over: one YAML text, credentials inline. */
    public String ownerKubeconfigYaml() {
        try {
            ObjectNode kc = (ObjectNode) Json.YAML.readTree(Files.readString(kubeconfig));
            for (var cluster : kc.get("clusters")) {
                ObjectNode c = (ObjectNode) cluster.get("cluster");
                if (c.has("certificate-authority")) {
                    byte[] ca = Files.readAllBytes(
                            Path.of(c.get("certificate-authority").asString()));
                    c.remove("certificate-authority");
                    c.put("certificate-authority-data", Base64.getEncoder().encodeToString(ca));
                }
            }
            return Json.yaml(kc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A kubeconfig for this API server that authenticates with {@code token} (a ServiceAccount's): what an identity
     * the infrastructure made would use, written to {@code file}.
     */
    public Path kubeconfigWithToken(String token, Path file) {
        ObjectNode kc = (ObjectNode) Json.YAML.readTree(ownerKubeconfigYaml());
        for (var u : kc.get("users")) {
            ((ObjectNode) u).putObject("user").put("token", token);
        }
        try {
            Files.writeString(file, Json.yaml(kc));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /**
     * One value of a Secret, decoded, once it has it (waits up to 30 s: a ServiceAccount token Secret is filled in
     * by the token controller).
     */
    public String secretValue(String namespace, String name, String key) {
        java.util.function.Supplier<String> read = () -> {
            var secret = admin.secrets().inNamespace(namespace).withName(name).get();
            String v = secret == null || secret.getData() == null
                    ? null
                    : secret.getData().get(key);
            return v == null
                    ? null
                    : new String(Base64.getDecoder().decode(v), java.nio.charset.StandardCharsets.UTF_8);
        };
        await(() -> read.get() != null, Duration.ofSeconds(30), "Secret " + namespace + "/" + name + " to hold " + key);
        return read.get();
    }

    public String adminToken() {
        return Json.YAML
                .readTree(ownerKubeconfigYaml())
                .at("/users/0/user/token")
                .asString();
    }

    /** The seed's prerequisites: Ambassador (Service on NodePort 32000, Mapping CRD), kubeadm-config, nodes. */
    public void prepare(List<String> nodeIds) {
        admin.resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName("ambassador")
                        .endMetadata()
                        .build())
                .serverSideApply();
        admin.resource(new ServiceBuilder()
                        .withNewMetadata()
                        .withName("ambassador")
                        .withNamespace("ambassador")
                        .endMetadata()
                        .withNewSpec()
                        .withType("NodePort")
                        .withSelector(Map.of("app", "ambassador"))
                        .addNewPort()
                        .withName("http")
                        .withProtocol("TCP")
                        .withPort(80)
                        .withNodePort(32000)
                        .endPort()
                        .endSpec()
                        .build())
                .serverSideApply();
        admin.resource(Json.MAPPER.convertValue(
                        Json.parse(MAPPING_CRD),
                        io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition.class))
                .serverSideApply();
        admin.resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("kubeadm-config")
                        .withNamespace("kube-system")
                        .endMetadata()
                        .withData(Map.of("ClusterConfiguration", "kubernetesVersion: v1.20.2\n"))
                        .build())
                .serverSideApply();
        for (String id : nodeIds) {
            admin.resource(new NodeBuilder()
                            .withNewMetadata()
                            .withName("worker-" + id)
                            .withLabels(Map.of("nodeID", id, "kubernetes.io/hostname", "worker-" + id))
                            .endMetadata()
                            .withNewStatus()
                            .withCapacity(Map.of(
                                    "cpu",
                                    new Quantity("32"),
                                    "memory",
                                    new Quantity("128Gi"),
                                    "pods",
                                    new Quantity("110")))
                            .withAllocatable(Map.of(
                                    "cpu",
                                    new Quantity("32"),
                                    "memory",
                                    new Quantity("128Gi"),
                                    "pods",
                                    new Quantity("110")))
                            .endStatus()
                            .build())
                    // a test before may have relabelled a node with another field manager (an edit): take it back
                    .forceConflicts()
                    .serverSideApply();
        }
        await(
                () -> admin.apiextensions()
                                        .v1()
                                        .customResourceDefinitions()
                                        .withName("mappings.getambassador.io")
                                        .get()
                                        .getStatus()
                                != null
                        && admin
                                .apiextensions()
                                .v1()
                                .customResourceDefinitions()
                                .withName("mappings.getambassador.io")
                                .get()
                                .getStatus()
                                .getConditions()
                                .stream()
                                .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus())),
                Duration.ofSeconds(30),
                "the Mapping CRD to be established");
    }

    /**
     * Starts the kubelet stand-in for {@code namespace} (in process, see {@link KubeletStandIn}): binds its
     * pending pods and reports them Ready, for {@code seconds} or until destroyed.
     */
    public KubeletStandIn fakeKubelet(String namespace, int seconds) {
        return new KubeletStandIn(
                admin, namespace, Duration.ofSeconds(seconds), Path.of("target", "kubelet-stand-in.log"));
    }

    /**
     * The other half of a kubelet's part in the test: it confirms that terminating pods in
     * {@code namespace} stopped (a real kubelet does, after stopping the containers), so namespace
     * deletion can finish. Runs until closed.
     */
    public AutoCloseable podTerminator(String namespace) {
        Thread t = new Thread(
                () -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        try {
                            admin.pods().inNamespace(namespace).list().getItems().stream()
                                    .filter(p -> p.getMetadata().getDeletionTimestamp() != null)
                                    .forEach(p -> admin.pods()
                                            .inNamespace(namespace)
                                            .withName(p.getMetadata().getName())
                                            .withGracePeriod(0)
                                            .delete());
                            Thread.sleep(200);
                        } catch (InterruptedException e) {
                            return;
                        } catch (RuntimeException e) {
                            // the namespace may be going away under us; try again
                        }
                    }
                },
                "pod-terminator");
        t.setDaemon(true);
        t.start();
        return t::interrupt;
    }

    /**
     * Waits until no namespace {@code name} exists. Whatever an earlier test left there (a failed test
     * does not clean up) is deleted first, so one failure does not cascade into the next test.
     */
    public void awaitNamespaceGone(String name) {
        try (AutoCloseable kubeletPart = podTerminator(name)) {
            if (admin.namespaces().withName(name).get() != null) {
                admin.namespaces().withName(name).delete();
            }
            await(
                    () -> admin.namespaces().withName(name).get() == null,
                    Duration.ofMinutes(2),
                    "namespace " + name + " to be gone");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Deletes a Deployment, as someone with the cluster's admin credential might (drift for a resync to repair). */
    public void deleteDeployment(String namespace, String name) {
        admin.apps().deployments().inNamespace(namespace).withName(name).delete();
    }

    /**
     * What the control plane recorded of a registration's objects ({@code inventory}: the {@code inventory}
     * array of {@code GET .../infra}) and what the API server holds labelled {@code label=value} of the same kinds,
     * each as {@code "Kind namespace/name uid"}: equal when nothing was duplicated and nothing left unrecorded.
     */
    public java.util.Map<String, java.util.Set<String>> recordedAndLabelled(
            tools.jackson.databind.JsonNode inventory, String label, String value) {
        java.util.Set<String> recorded = new java.util.TreeSet<>();
        java.util.Set<String> kinds = new java.util.TreeSet<>();
        inventory.forEach(i -> {
            recorded.add(i.get("kind").asString() + " " + i.path("namespace").asString("") + "/"
                    + i.get("name").asString() + " " + i.get("uid").asString());
            kinds.add(i.get("apiVersion").asString() + " " + i.get("kind").asString());
        });
        java.util.Set<String> onCluster = new java.util.TreeSet<>();
        for (String k : kinds) {
            String[] av = k.split(" ");
            admin.genericKubernetesResources(av[0], av[1])
                    .inAnyNamespace()
                    .withLabel(label, value)
                    .list()
                    .getItems()
                    .forEach(o -> onCluster.add(o.getKind() + " "
                            + (o.getMetadata().getNamespace() == null
                                    ? ""
                                    : o.getMetadata().getNamespace()) + "/"
                            + o.getMetadata().getName() + " " + o.getMetadata().getUid()));
        }
        return java.util.Map.of("recorded", recorded, "labelled", onCluster);
    }

    /** Every object on the API server labelled with {@code selector}, over every listable kind (kubectl). */
    public String everythingLabelled(String selector) {
        String kinds = run(
                        List.of(
                                "kubectl",
                                "--kubeconfig",
                                kubeconfig.toString(),
                                "api-resources",
                                "--verbs=list",
                                "-o",
                                "name"),
                        Duration.ofSeconds(60))
                .lines()
                .filter(l -> !l.isBlank() && !l.contains(" "))
                .filter(l -> !l.startsWith("Warning"))
                .reduce((a, b) -> a + "," + b)
                .orElseThrow();
        return run(
                        List.of(
                                "kubectl",
                                "--kubeconfig",
                                kubeconfig.toString(),
                                "get",
                                kinds,
                                "-A",
                                "-l",
                                selector,
                                "-o",
                                "name",
                                "--ignore-not-found"),
                        Duration.ofSeconds(60))
                .lines()
                .filter(l -> !l.startsWith("Warning"))
                .reduce("", (a, b) -> a + b + "\n")
                .trim();
    }

    private static final String MAPPING_CRD = """
            {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
             "metadata":{"name":"mappings.getambassador.io"},
             "spec":{"group":"getambassador.io","scope":"Namespaced",
               "names":{"plural":"mappings","singular":"mapping","kind":"Mapping","listKind":"MappingList"},
               "versions":[{"name":"v3alpha1","served":true,"storage":true,
                 "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}""";
}
