package network.aios.server;

import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A kubelet's part for the test API server, in process (what ../shared/k8s/fake-kubelet.py does, the way kwok
 * works): binds each pending pod of one namespace to the first node its nodeSelector fits, reports it Running
 * and Ready, confirms the deletion of a bound pod being deleted (as a kubelet does once its containers stop),
 * and reports Ready for a node left without conditions. Deployments then become available through the real
 * controller-manager. Nothing runs.
 *
 * <p>It acts when a pod watch says something changed (and once a second besides, should a watch event be
 * missed), so a test's rollout waits on Kubernetes' controllers, not on a polling loop: the script polls every
 * second and starts a kubectl for each call. What it did is logged, by name only, to a file.
 */
public final class KubeletStandIn implements AutoCloseable {
    private final KubernetesClient client;
    private final String namespace;
    private final Instant end;
    private final Semaphore changed = new Semaphore(0);
    private final PrintWriter log;
    private final Thread loop;
    private volatile Watch watch;
    private volatile boolean closed;

    KubeletStandIn(KubernetesClient client, String namespace, Duration lifetime, Path logFile) {
        this.client = client;
        this.namespace = namespace;
        this.end = Instant.now().plus(lifetime);
        try {
            Files.createDirectories(logFile.toAbsolutePath().getParent());
            this.log = new PrintWriter(
                    Files.newBufferedWriter(
                            logFile,
                            StandardCharsets.UTF_8,
                            java.nio.file.StandardOpenOption.CREATE,
                            java.nio.file.StandardOpenOption.APPEND),
                    true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.loop = new Thread(this::run, "kubelet-stand-in-" + namespace);
        loop.setDaemon(true);
        loop.start();
    }

    private void run() {
        try {
            loop();
        } finally {
            Watch w = watch;
            if (w != null) {
                w.close();
            }
        }
    }

    private void loop() {
        while (!closed && Instant.now().isBefore(end)) {
            try {
                if (watch == null) {
                    watch = client.pods().inNamespace(namespace).watch(new Watcher<Pod>() {
                        @Override
                        public void eventReceived(Action action, Pod pod) {
                            changed.release();
                        }

                        @Override
                        public void onClose(WatcherException cause) {
                            watch = null; // set up again on the next pass
                            changed.release();
                        }
                    });
                }
                tick();
            } catch (KubernetesClientException e) {
                log.println("kubelet stand-in: " + e.getCode() + " " + e.getStatus());
            } catch (RuntimeException e) {
                log.println("kubelet stand-in: " + e);
            }
            try {
                changed.tryAcquire(1, TimeUnit.SECONDS);
                changed.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void tick() {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        List<Node> nodes = client.nodes().list().getItems();
        for (Node n : nodes) {
            tolerant(() -> node(n, now));
        }
        for (Pod pod : client.pods().inNamespace(namespace).list().getItems()) {
            tolerant(() -> pod(pod, nodes, now));
        }
    }

    /**
     * One object's part: an error (a pod deleted meanwhile: 404; bound meanwhile: 409) is logged and the others
     * go on, as a kubelet does.
     */
    private void tolerant(Runnable part) {
        try {
            part.run();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404 && e.getCode() != 409) {
                log.println("kubelet stand-in: " + e.getCode() + " " + e.getMessage());
            }
        }
    }

    private void node(Node n, String now) {
        if (n.getStatus() == null
                || n.getStatus().getConditions() == null
                || n.getStatus().getConditions().isEmpty()) {
            client.nodes().withName(n.getMetadata().getName()).editStatus(node -> {
                node.getStatus()
                        .setConditions(List.of(new NodeConditionBuilder()
                                .withType("Ready")
                                .withStatus("True")
                                .withReason("KubeletReady")
                                .withLastHeartbeatTime(now)
                                .withLastTransitionTime(now)
                                .build()));
                return node;
            });
            log.println("node " + n.getMetadata().getName() + " Ready");
        }
    }

    private void pod(Pod pod, List<Node> nodes, String now) {
        String name = pod.getMetadata().getName();
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            if (pod.getSpec().getNodeName() != null) {
                client.pods()
                        .inNamespace(namespace)
                        .withName(name)
                        .withGracePeriod(0)
                        .delete();
                log.println("pod " + name + " stopped");
            }
            return;
        }
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if (phase != null && !"Pending".equals(phase)) {
            return;
        }
        String node = pod.getSpec().getNodeName();
        if (node == null) {
            Map<String, String> selector = pod.getSpec().getNodeSelector() == null
                    ? Map.of()
                    : pod.getSpec().getNodeSelector();
            node = nodes.stream()
                    .filter(n -> {
                        Map<String, String> labels = n.getMetadata().getLabels() == null
                                ? Map.of()
                                : n.getMetadata().getLabels();
                        return selector.entrySet().stream()
                                .allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
                    })
                    .map(n -> n.getMetadata().getName())
                    .findFirst()
                    .orElse(null);
            if (node == null) {
                return; // no node fits: it stays Pending, as on a real cluster
            }
            client.bindings()
                    .inNamespace(namespace)
                    .resource(new BindingBuilder()
                            .withNewMetadata()
                            .withName(name)
                            .withNamespace(namespace)
                            .endMetadata()
                            .withNewTarget()
                            .withApiVersion("v1")
                            .withKind("Node")
                            .withName(node)
                            .endTarget()
                            .build())
                    .create();
        }
        client.pods().inNamespace(namespace).withName(name).editStatus(p -> {
            p.setStatus(new PodStatusBuilder()
                    .withPhase("Running")
                    .withStartTime(now)
                    .withHostIP("127.0.0.1")
                    .withPodIP("127.0.0.1")
                    .withConditions(List.of("PodScheduled", "Initialized", "ContainersReady", "Ready").stream()
                            .map(t -> new PodConditionBuilder()
                                    .withType(t)
                                    .withStatus("True")
                                    .withLastTransitionTime(now)
                                    .build())
                            .toList())
                    .withContainerStatuses(p.getSpec().getContainers().stream()
                            .map(c -> new ContainerStatusBuilder()
                                    .withName(c.getName())
                                    .withReady(true)
                                    .withStarted(true)
                                    .withRestartCount(0)
                                    .withImage(c.getImage() == null ? "" : c.getImage())
                                    .withImageID("")
                                    .withNewState()
                                    .withNewRunning()
                                    .withStartedAt(now)
                                    .endRunning()
                                    .endState()
                                    .build())
                            .toList())
                    .build());
            return p;
        });
        log.println("pod " + name + " on " + node + " Running");
    }

    /** Stops it (as destroying the script's process did). */
    public void destroy() {
        close();
    }

    @Override
    public void close() {
        closed = true;
        loop.interrupt();
        Watch w = watch;
        if (w != null) {
            w.close();
        }
        try {
            loop.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.close();
    }
}
