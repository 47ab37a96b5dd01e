package network.aios.agent;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import network.aios.api.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The block transactions log (32302, {@code /blocks}): every block workload (a Deployment or
 * StatefulSet labelled {@value #BLOCK_LABEL}) appearing, scaling, changing image or going away is an
 * entry — seq, time, block id, kind, workload, replicas — appended to a log kept on the cluster
 * ({@link BlockLog}), so it is the same after the agent restarts (what changed while it was down is
 * recorded when it comes back). Query: {@code GET /transactions?blockId=&kind=&since=&until=&limit=}.
 */
final class BlocksRole implements Role {
    static final String BLOCK_LABEL = "aios.network/block-id";
    static final Set<String> KINDS = Set.of("created", "scaled", "updated", "deleted");
    /** Every workload is looked at again this often, so an entry that could not be written is tried again. */
    static final long RESYNC_MILLIS = 30_000;

    private static final Logger LOG = LoggerFactory.getLogger(BlocksRole.class);

    private final KubernetesClient kube;
    private final BlockLog log;
    private final Clock clock;
    private final List<ObjectNode> entries = new CopyOnWriteArrayList<>();
    /** The last state recorded per workload uid. */
    private final Map<String, ObjectNode> known = new ConcurrentHashMap<>();

    private final ExecutorService writer = Web.daemon("blocks-log");
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    private long seq;

    BlocksRole(AgentContext agent) {
        this.kube = agent.kube();
        this.log = new BlockLog(agent.kube(), agent.config().namespace());
        this.clock = agent.clock();
    }

    @Override
    public void start() {
        for (ObjectNode e : log.load()) {
            entries.add(e);
            seq = Math.max(seq, e.get("seq").asLong());
            String uid = e.at("/workload/uid").asString();
            if ("deleted".equals(e.get("kind").asString())) {
                known.remove(uid);
            } else {
                known.put(uid, e);
            }
        }
        SharedIndexInformer<Deployment> deployments = kube.apps()
                .deployments()
                .inAnyNamespace()
                .withLabel(BLOCK_LABEL)
                .inform(handler(), RESYNC_MILLIS);
        SharedIndexInformer<StatefulSet> statefulSets = kube.apps()
                .statefulSets()
                .inAnyNamespace()
                .withLabel(BLOCK_LABEL)
                .inform(handler(), RESYNC_MILLIS);
        informers.add(deployments);
        informers.add(statefulSets);
        // what went away while the agent was not watching
        writer.execute(() -> {
            Set<String> present = new HashSet<>();
            deployments
                    .getStore()
                    .list()
                    .forEach(d -> present.add(d.getMetadata().getUid()));
            statefulSets
                    .getStore()
                    .list()
                    .forEach(s -> present.add(s.getMetadata().getUid()));
            for (ObjectNode last : List.copyOf(known.values())) {
                if (!present.contains(last.at("/workload/uid").asString())) {
                    record("deleted", last, null, "gone while the blocks agent was not running");
                }
            }
        });
    }

    private <T extends HasMetadata> ResourceEventHandler<T> handler() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T o) {
                writer.execute(() -> observe(o, false));
            }

            @Override
            public void onUpdate(T before, T after) {
                writer.execute(() -> observe(after, false));
            }

            @Override
            public void onDelete(T o, boolean unknownFinalState) {
                writer.execute(() -> observe(o, true));
            }
        };
    }

    /** One workload as seen now: an entry if it is new, gone, rescaled or re-imaged since the last entry. */
    void observe(HasMetadata o, boolean deleted) {
        String uid = o.getMetadata().getUid();
        ObjectNode now = state(o);
        ObjectNode last = known.get(uid);
        if (deleted) {
            if (last != null) {
                record("deleted", last, null, null);
            }
        } else if (last == null) {
            record("created", now, null, null);
        } else if (now.get("replicas").asInt() != last.get("replicas").asInt()) {
            record("scaled", now, last.get("replicas").asInt(), null);
        } else if (!Objects.equals(
                now.path("images").toString(), last.path("images").toString())) {
            record("updated", now, null, "images " + last.path("images") + " -> " + now.path("images"));
        }
    }

    private static ObjectNode state(HasMetadata o) {
        int replicas;
        PodSpec pod;
        if (o instanceof Deployment d) {
            replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
            pod = d.getSpec().getTemplate().getSpec();
        } else {
            StatefulSet s = (StatefulSet) o;
            replicas = s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
            pod = s.getSpec().getTemplate().getSpec();
        }
        ObjectNode n = Json.object()
                .put("blockId", o.getMetadata().getLabels().get(BLOCK_LABEL))
                .put("replicas", replicas);
        n.putObject("workload")
                .put("kind", o.getKind())
                .put("namespace", o.getMetadata().getNamespace())
                .put("name", o.getMetadata().getName())
                .put("uid", o.getMetadata().getUid());
        ArrayNode images = n.putArray("images");
        pod.getContainers().forEach(c -> images.add(c.getImage()));
        return n;
    }

    private void record(String kind, ObjectNode state, Integer fromReplicas, String note) {
        ObjectNode e = Json.object()
                .put("seq", seq + 1)
                .put("at", clock.instant().toString())
                .put("blockId", state.get("blockId").asString())
                .put("kind", kind);
        e.set("workload", state.get("workload"));
        e.put("replicas", state.get("replicas").asInt());
        if (fromReplicas != null) {
            e.put("fromReplicas", fromReplicas);
        }
        e.set("images", state.get("images"));
        if (note != null) {
            e.put("note", note);
        }
        try {
            log.append(e);
        } catch (RuntimeException ex) {
            LOG.warn(
                    "block transaction {} {} not written: {}",
                    kind,
                    state.get("blockId").asString(),
                    ex.getMessage());
            return; // not recorded as known: the next event or resync (RESYNC_MILLIS) tries again
        }
        seq++;
        entries.add(e);
        String uid = state.at("/workload/uid").asString();
        if ("deleted".equals(kind)) {
            known.remove(uid);
        } else {
            known.put(uid, e);
        }
    }

    @Override
    public void routes(RoutesConfig r) {
        r.get(
                "/",
                ctx -> Web.json(
                        ctx,
                        Json.object()
                                .put("role", "blocks")
                                .put("transactions", entries.size())
                                .put(
                                        "blocks",
                                        known.values().stream()
                                                .map(e -> e.get("blockId").asString())
                                                .distinct()
                                                .count())));
        r.get("/transactions", this::query);
        r.get("/blocks/{blockId}/transactions", this::query);
    }

    private void query(Context ctx) {
        String blockId =
                ctx.pathParamMap().containsKey("blockId") ? ctx.pathParam("blockId") : ctx.queryParam("blockId");
        String kind = ctx.queryParam("kind");
        if (kind != null && !KINDS.contains(kind)) {
            Web.fail(ctx, 400, "bad_request", "/query/kind", "must be one of created, scaled, updated, deleted");
            return;
        }
        Instant since;
        Instant until;
        int limit;
        try {
            since = ctx.queryParam("since") == null ? Instant.MIN : Instant.parse(ctx.queryParam("since"));
            until = ctx.queryParam("until") == null ? Instant.MAX : Instant.parse(ctx.queryParam("until"));
        } catch (DateTimeParseException e) {
            Web.fail(
                    ctx,
                    400,
                    "bad_request",
                    "/query/since",
                    "since and until are RFC 3339 times, e.g. " + "2026-11-25T10:00:00Z");
            return;
        }
        try {
            limit = ctx.queryParam("limit") == null ? 100 : Integer.parseInt(ctx.queryParam("limit"));
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > 1000) {
            Web.fail(ctx, 400, "bad_request", "/query/limit", "must be between 1 and 1000");
            return;
        }
        List<ObjectNode> match = new ArrayList<>();
        for (ObjectNode e : entries) {
            Instant at = Instant.parse(e.get("at").asString());
            if ((blockId == null || blockId.equals(e.get("blockId").asString()))
                    && (kind == null || kind.equals(e.get("kind").asString()))
                    && !at.isBefore(since)
                    && at.isBefore(until)) {
                match.add(e);
            }
        }
        List<ObjectNode> page = match.subList(Math.max(0, match.size() - limit), match.size());
        ObjectNode out = Json.object();
        out.putArray("items").addAll(page);
        out.put("total", match.size());
        Web.json(ctx, out);
    }

    @Override
    public void close() {
        informers.forEach(SharedIndexInformer::close);
        writer.shutdownNow();
    }
}
