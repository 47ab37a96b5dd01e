package network.aios.server.http;

import static network.aios.server.http.Authenticator.principal;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import network.aios.api.FieldError;
import network.aios.api.Json;
import network.aios.member.Preflight;
import network.aios.server.domain.DomainException;
import network.aios.server.infra.InfraService;
import network.aios.store.InfraJob;
import network.aios.store.JobState;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The cluster controller gateway's infra paths as the seed calls them ({@code POST
 * /create-cluster-infra}, {@code /remove-cluster-infra}: 200 with a job id, since the seed's scripts
 * test for 200), the resource API form (202), jobs, preflight and the rendered manifests.
 */
public final class InfraRoutes {
    private final InfraService infra;
    private final network.aios.server.pull.PullService pull;

    public InfraRoutes(InfraService infra, network.aios.server.pull.PullService pull) {
        this.infra = infra;
        this.pull = pull;
    }

    /**
     * A cluster joined in pull mode is not created with a kubeconfig (it is its agent's to apply) and is removed
     * by telling its agent: the answer then says so instead of naming a job.
     */
    private boolean pulled(Context ctx, String clusterId, boolean create, boolean force) {
        if (create && pull.joinLive(clusterId) && !pull.pulled(clusterId)) {
            pull.requireVisible(principal(ctx), clusterId);
            throw new DomainException(
                    DomainException.Kind.CONFLICT,
                    "pull_mode",
                    "cluster '" + clusterId + "' has a pull-mode join under way: revoke it first (aios cluster"
                            + " join-revoke " + clusterId + ") to run it in push mode",
                    List.of(),
                    null);
        }
        if (!pull.pulled(clusterId)) {
            return false;
        }
        pull.requireVisible(principal(ctx), clusterId); // another owner's cluster: a 404 before anything else
        if (create) {
            throw new DomainException(
                    DomainException.Kind.CONFLICT,
                    "pull_mode",
                    "cluster '" + clusterId + "' joined in pull mode: its pull agent applies the infrastructure, "
                            + "no kubeconfig is taken for it",
                    List.of(),
                    "to run it in push mode, remove it first (aios cluster infra remove " + clusterId + ")");
        }
        Http.json(ctx, force ? 200 : 202, pull.remove(principal(ctx), clusterId, force));
        return true;
    }

    public void register(RoutesConfig r) {
        r.post("/create-cluster-infra", ctx -> seedPath(ctx, true));
        r.post("/remove-cluster-infra", ctx -> seedPath(ctx, false));
        r.put("/api/v1/clusters/{id}/infra", ctx -> resource(ctx, true));
        r.delete("/api/v1/clusters/{id}/infra", ctx -> resource(ctx, false));
        r.get("/api/v1/clusters/{id}/infra", this::status);
        r.get("/api/v1/clusters/{id}/infra/manifests", this::manifests);
        r.post("/api/v1/clusters/{id}/preflight", this::preflight);
        r.get("/api/v1/jobs/{id}", ctx -> Http.json(ctx, 200, jobView(infra.job(principal(ctx), ctx.pathParam("id")))));
    }

    private void seedPath(Context ctx, boolean create) {
        JsonNode body = Bodies.object(ctx.bodyAsBytes());
        JsonNode id = body.get("cluster_id");
        if (id == null || !id.isString() || id.asString().isBlank()) {
            throw DomainException.invalid(
                    List.of(new FieldError("/cluster_id", "is required: the registered cluster's id")));
        }
        if (pulled(ctx, id.asString(), create, false)) {
            return;
        }
        InfraService.Scheduled s = create
                ? infra.create(principal(ctx), id.asString(), body.get("kube_config_data"), "/kube_config_data")
                : infra.remove(principal(ctx), id.asString(), body.get("kube_config_data"), "/kube_config_data");
        Http.json(ctx, 200, scheduledView(s));
    }

    private void resource(Context ctx, boolean create) {
        byte[] raw = ctx.bodyAsBytes();
        JsonNode body = raw.length == 0 ? Json.object() : Bodies.object(raw);
        String id = ctx.pathParam("id");
        if (pulled(ctx, id, create, "true".equals(ctx.queryParam("force")))) {
            return;
        }
        InfraService.Scheduled s = create
                ? infra.create(principal(ctx), id, body.get("kube_config_data"), "/kube_config_data")
                : infra.remove(principal(ctx), id, body.get("kube_config_data"), "/kube_config_data");
        ctx.header("Location", "/api/v1/jobs/" + s.job().id());
        Http.json(ctx, s.created() ? 202 : 200, scheduledView(s));
    }

    private void status(Context ctx) {
        String id = ctx.pathParam("id");
        Http.json(ctx, 200, statusView("clusterId", id, infra.status(principal(ctx), id)));
    }

    /** {idField: id, job: {...} or null, inventory: [...]}: a cluster's or an add-on's infrastructure. */
    static ObjectNode statusView(String idField, String id, InfraService.Status status) {
        ObjectNode out = Json.object().put(idField, id);
        status.job().ifPresentOrElse(j -> out.set("job", jobView(j)), () -> out.putNull("job"));
        ArrayNode inv = out.putArray("inventory");
        status.inventory()
                .forEach(i -> inv.addObject()
                        .put("apiVersion", i.apiVersion())
                        .put("kind", i.kind())
                        .put("namespace", i.namespace())
                        .put("name", i.name())
                        .put("uid", i.uid()));
        return out;
    }

    private void manifests(Context ctx) {
        ctx.status(200)
                .contentType("application/yaml")
                .result(infra.manifests().yaml(principal(ctx), ctx.pathParam("id")));
    }

    private void preflight(Context ctx) {
        JsonNode body = Bodies.object(ctx.bodyAsBytes());
        List<Preflight.Check> checks =
                infra.preflight(principal(ctx), ctx.pathParam("id"), body.get("kube_config_data"), "/kube_config_data");
        ObjectNode out = Json.object().put("passed", Preflight.passed(checks));
        ArrayNode list = out.putArray("checks");
        for (Preflight.Check c : checks) {
            ObjectNode n = list.addObject()
                    .put("name", c.name())
                    .put("status", c.status().name().toLowerCase())
                    .put("message", c.message());
            if (c.fix() != null) {
                n.put("fix", c.fix());
            }
        }
        Http.json(ctx, 200, out);
    }

    /** The answer to a request that scheduled (or found) a job. */
    public static ObjectNode scheduledView(InfraService.Scheduled s) {
        InfraJob j = s.job();
        ObjectNode out = Json.object().put("message", s.note());
        target(out, j.key(), "cluster_id", "addon_kind", "addon_id");
        return out.put("job_id", j.id()).put("state", j.state().wire()).put("status_url", "/api/v1/jobs/" + j.id());
    }

    /** A job's key is a cluster id, or {@code <kind>/<id>} for an add-on's deployment. */
    private static void target(ObjectNode out, String key, String clusterField, String kindField, String idField) {
        network.aios.api.TargetKey t = network.aios.api.TargetKey.parse(key);
        if (t.isCluster()) {
            out.put(clusterField, t.id());
        } else {
            out.put(kindField, t.addon().wire()).put(idField, t.id());
        }
    }

    /** A job with Kubernetes-shaped conditions. */
    public static ObjectNode jobView(InfraJob j) {
        ObjectNode out = Json.object();
        out.put("id", j.id());
        target(out, j.key(), "clusterId", "addonKind", "addonId");
        out.put("kind", j.kind().wire())
                .put("state", j.state().wire())
                .put("reason", j.reason().wire())
                .put("message", j.message())
                .put("attempts", j.attempts());
        out.putObject("progress").put("done", j.progressDone()).put("total", j.progressTotal());
        out.put("createdAt", j.createdAt().toString())
                .put("updatedAt", j.updatedAt().toString());
        if (j.finishedAt() != null) {
            out.put("finishedAt", j.finishedAt().toString());
        }
        ArrayNode conditions = out.putArray("conditions");
        String done = j.kind().applies() ? "Ready" : "Removed";
        boolean succeeded = j.finished() && (j.state() == JobState.READY || j.state() == JobState.REMOVED);
        conditions.add(new network.aios.api.Condition(
                        done,
                        succeeded
                                ? network.aios.api.Condition.Status.TRUE
                                : j.finished()
                                        ? network.aios.api.Condition.Status.FALSE
                                        : network.aios.api.Condition.Status.UNKNOWN,
                        j.reason().wire(),
                        j.message(),
                        j.updatedAt(),
                        null)
                .json());
        conditions.add(new network.aios.api.Condition(
                        "Progressing",
                        network.aios.api.Condition.Status.of(!j.finished()),
                        j.state().wire(),
                        j.message(),
                        j.updatedAt(),
                        null)
                .json());
        if (j.receipt() != null) {
            out.set("receipt", j.receipt());
        }
        return out;
    }
}
