package network.aios.agent;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.javalin.config.RoutesConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import network.aios.api.Json;
import network.aios.api.ObservedInventory;
import network.aios.member.NodeInventory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The cluster's own view (32300, {@code /controller}): watches nodes (join, leave, label changes) and
 * sends the control plane a heartbeat with the observed inventory every few seconds, and at once when
 * the nodes change.
 */
final class ControllerRole implements Role {
    private static final Logger LOG = LoggerFactory.getLogger(ControllerRole.class);
    private final AgentContext agent;
    private final ScheduledExecutorService ticker = Web.daemon("heartbeat");
    private final AtomicReference<ObservedInventory> inventory = new AtomicReference<>(new ObservedInventory(null));
    private final AtomicReference<ObjectNode> lastHeartbeat =
            new AtomicReference<>(Json.object().put("status", "none"));
    private SharedIndexInformer<Node> informer;

    ControllerRole(AgentContext agent) {
        this.agent = agent;
    }

    @Override
    public void start() {
        informer = agent.kube()
                .nodes()
                .inform(
                        new ResourceEventHandler<>() {
                            @Override
                            public void onAdd(Node n) {
                                changed();
                            }

                            @Override
                            public void onUpdate(Node before, Node after) {
                                if (!java.util.Objects.equals(
                                                before.getMetadata().getLabels(),
                                                after.getMetadata().getLabels())
                                        || !java.util.Objects.equals(
                                                NodeInventory.node(before), NodeInventory.node(after))) {
                                    changed();
                                }
                            }

                            @Override
                            public void onDelete(Node n, boolean unknownFinalState) {
                                changed();
                            }
                        },
                        0);
        ticker.scheduleWithFixedDelay(
                this::heartbeat, 0, agent.config().heartbeat().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Nodes changed: recompute now, and tell the control plane without waiting for the next beat. */
    private void changed() {
        inventory.set(NodeInventory.of(
                informer == null
                        ? agent.kube().nodes().list().getItems()
                        : informer.getStore().list()));
        ticker.execute(this::heartbeat);
    }

    void heartbeat() {
        if (informer != null && informer.hasSynced()) {
            inventory.set(NodeInventory.of(informer.getStore().list()));
        }
        ObjectNode body = Json.object();
        body.putObject("agent").put("role", "controller").put("version", AgentMain.VERSION);
        body.put("observedAt", agent.clock().instant().toString());
        body.set("inventory", Json.MAPPER.valueToTree(inventory.get()));
        Instant at = agent.clock().instant();
        try {
            ControlPlaneClient.Answer a = agent.controlPlane()
                    .post("/api/v1/clusters/" + agent.config().clusterId() + "/heartbeat", body);
            lastHeartbeat.set(Json.object()
                    .put("status", a.status() < 300 ? "sent" : "refused")
                    .put("httpStatus", a.status())
                    .put("at", at.toString()));
            if (a.status() >= 300) {
                LOG.warn("heartbeat refused by the control plane: HTTP {} {}", a.status(), a.body());
            }
        } catch (java.io.IOException e) {
            lastHeartbeat.set(Json.object()
                    .put("status", "unreachable")
                    .put("at", at.toString())
                    .put("message", e.getClass().getSimpleName()));
            LOG.warn(
                    "heartbeat: the control plane did not answer ({})",
                    e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("heartbeat failed", e);
        }
    }

    @Override
    public void routes(RoutesConfig r) {
        r.get(
                "/",
                ctx -> Web.json(
                        ctx,
                        Json.object()
                                .put("clusterId", agent.config().clusterId())
                                .put("role", "controller")
                                .put("nodes", inventory.get().nodes().size())
                                .set("lastHeartbeat", lastHeartbeat.get())));
        r.get("/inventory", ctx -> Web.json(ctx, inventory.get()));
        r.get("/nodes/{nodeId}", ctx -> {
            var node = inventory.get().nodes().stream()
                    .filter(n -> ctx.pathParam("nodeId").equals(n.nodeId()))
                    .findFirst();
            if (node.isEmpty()) {
                Web.notFound(ctx, "no node labelled nodeID=" + ctx.pathParam("nodeId"));
            } else {
                Web.json(ctx, node.get());
            }
        });
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        if (informer != null) {
            informer.close();
        }
    }

    static Duration defaultInterval() {
        return Duration.ofSeconds(5);
    }
}
