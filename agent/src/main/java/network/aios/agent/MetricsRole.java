package network.aios.agent;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.NodeMetrics;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javalin.config.RoutesConfig;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import network.aios.api.Json;
import network.aios.member.NodeInventory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Node and cluster usage (32301, {@code /metrics}): capacity, allocatable and requested (summed from
 * the pods' requests) from the API; usage from {@code metrics.k8s.io} when the cluster serves it,
 * and otherwise says so. JSON at {@code /} and {@code /nodes/<nodeID>}, Prometheus text at
 * {@code /metrics}; every figure carries its time, and a snapshot older than three intervals is
 * marked stale. Each snapshot is also sent to the control plane.
 */
final class MetricsRole implements Role {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsRole.class);
    private static final BigDecimal MB = BigDecimal.valueOf(1024L * 1024L);
    private final AgentContext agent;
    private final ScheduledExecutorService ticker = Web.daemon("metrics");
    private final AtomicReference<ObjectNode> snapshot = new AtomicReference<>();

    MetricsRole(AgentContext agent) {
        this.agent = agent;
    }

    @Override
    public void start() {
        ticker.scheduleWithFixedDelay(
                this::collectAndSend, 0, agent.config().metricsInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void collectAndSend() {
        try {
            ObjectNode s = collect();
            snapshot.set(s);
            ControlPlaneClient.Answer a = agent.controlPlane()
                    .post("/api/v1/clusters/" + agent.config().clusterId() + "/metrics", s);
            if (a.status() >= 300) {
                LOG.warn("metrics refused by the control plane: HTTP {}", a.status());
            }
        } catch (java.io.IOException e) {
            LOG.warn(
                    "metrics: the control plane did not answer ({})",
                    e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("metrics collection failed", e);
        }
    }

    ObjectNode collect() {
        Instant at = agent.clock().instant();
        List<Node> nodes = agent.kube().nodes().list().getItems();
        Map<String, BigDecimal[]> requested = new HashMap<>();
        for (Pod p : agent.kube().pods().inAnyNamespace().list().getItems()) {
            String node = p.getSpec() == null ? null : p.getSpec().getNodeName();
            String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
            if (node == null || "Succeeded".equals(phase) || "Failed".equals(phase)) {
                continue;
            }
            BigDecimal[] sum = requested.computeIfAbsent(
                    node, k -> new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO});
            for (Container c : p.getSpec().getContainers()) {
                Map<String, Quantity> req =
                        c.getResources() == null ? null : c.getResources().getRequests();
                if (req != null) {
                    sum[0] = sum[0].add(NodeInventory.amount(req.get("cpu")));
                    sum[1] = sum[1].add(NodeInventory.amount(req.get("memory")));
                    sum[2] = sum[2].add(NodeInventory.amount(req.get(NodeInventory.GPU_RESOURCE)));
                }
            }
        }
        Map<String, NodeMetrics> usage = new HashMap<>();
        String metricsApi;
        try {
            agent.kube()
                    .top()
                    .nodes()
                    .metrics()
                    .getItems()
                    .forEach(m -> usage.put(m.getMetadata().getName(), m));
            metricsApi = "available";
        } catch (KubernetesClientException e) {
            metricsApi = e.getCode() == 404 ? "absent" : "unavailable (HTTP " + e.getCode() + ")";
        }
        ObjectNode out = Json.object()
                .put("clusterId", agent.config().clusterId())
                .put("observedAt", at.toString())
                .put("metricsApi", metricsApi);
        double[] total = new double[8];
        var list = out.putArray("nodes");
        for (Node n : nodes) {
            var inv = NodeInventory.node(n);
            BigDecimal[] req = requested.getOrDefault(
                    n.getMetadata().getName(), new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO});
            NodeMetrics m = usage.get(n.getMetadata().getName());
            ObjectNode node = list.addObject()
                    .put("name", inv.name())
                    .put("nodeId", inv.nodeId())
                    .put("ready", inv.ready());
            ObjectNode cpu = node.putObject("cpu");
            cpu.put("capacity", inv.capacity() == null ? 0 : inv.capacity().vcpus());
            cpu.put(
                    "allocatable",
                    inv.allocatable() == null ? 0 : inv.allocatable().vcpus());
            cpu.put("requested", req[0].doubleValue());
            ObjectNode mem = node.putObject("memoryMB");
            mem.put("capacity", inv.capacity() == null ? 0 : inv.capacity().memoryMB());
            mem.put(
                    "allocatable",
                    inv.allocatable() == null ? 0 : inv.allocatable().memoryMB());
            mem.put("requested", req[1].divide(MB, java.math.RoundingMode.DOWN).longValue());
            ObjectNode gpu = node.putObject("gpus");
            gpu.put("capacity", inv.capacity() == null ? 0 : inv.capacity().gpus());
            gpu.put(
                    "allocatable",
                    inv.allocatable() == null ? 0 : inv.allocatable().gpus());
            gpu.put("requested", req[2].intValue());
            if (m != null) {
                cpu.put("usage", NodeInventory.amount(m.getUsage().get("cpu")).doubleValue());
                mem.put(
                        "usage",
                        NodeInventory.amount(m.getUsage().get("memory"))
                                .divide(MB, java.math.RoundingMode.DOWN)
                                .longValue());
                node.put("usageAt", m.getTimestamp());
            } else {
                cpu.putNull("usage");
                mem.putNull("usage");
            }
            total[0] += cpu.get("capacity").asDouble();
            total[1] += cpu.get("allocatable").asDouble();
            total[2] += cpu.get("requested").asDouble();
            total[3] += mem.get("capacity").asDouble();
            total[4] += mem.get("allocatable").asDouble();
            total[5] += mem.get("requested").asDouble();
            total[6] += gpu.get("capacity").asDouble();
            total[7] += gpu.get("requested").asDouble();
        }
        ObjectNode cluster = out.putObject("cluster");
        cluster.putObject("cpu")
                .put("capacity", total[0])
                .put("allocatable", total[1])
                .put("requested", total[2]);
        cluster.putObject("memoryMB")
                .put("capacity", (long) total[3])
                .put("allocatable", (long) total[4])
                .put("requested", (long) total[5]);
        cluster.putObject("gpus").put("capacity", (long) total[6]).put("requested", (long) total[7]);
        return out;
    }

    /** The snapshot as served: marked stale once it is older than three collection intervals. */
    private ObjectNode current() {
        ObjectNode s = snapshot.get();
        if (s == null) {
            return Json.object()
                    .put("clusterId", agent.config().clusterId())
                    .putNull("observedAt")
                    .put("stale", true);
        }
        ObjectNode copy = s.deepCopy();
        Instant at = Instant.parse(s.get("observedAt").asString());
        copy.put(
                "stale",
                Duration.between(at, agent.clock().instant())
                                .compareTo(agent.config().metricsInterval().multipliedBy(3))
                        > 0);
        return copy;
    }

    @Override
    public void routes(RoutesConfig r) {
        r.get("/", ctx -> Web.json(ctx, current()));
        r.get("/nodes/{nodeId}", ctx -> {
            ObjectNode s = current();
            for (JsonNode n : s.path("nodes")) {
                if (ctx.pathParam("nodeId").equals(n.path("nodeId").asString(null))) {
                    Web.json(
                            ctx,
                            ((ObjectNode) n.deepCopy())
                                    .put("observedAt", s.path("observedAt").asString(null))
                                    .put("stale", s.path("stale").asBoolean()));
                    return;
                }
            }
            Web.notFound(ctx, "no node labelled nodeID=" + ctx.pathParam("nodeId"));
        });
        r.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4").result(Prometheus.render(current())));
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
