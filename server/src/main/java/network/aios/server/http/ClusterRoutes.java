package network.aios.server.http;

import static network.aios.server.http.Authenticator.principal;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import network.aios.api.ClusterStatus;
import network.aios.api.FieldError;
import network.aios.api.Json;
import network.aios.server.clusters.ClusterService;
import network.aios.server.clusters.ClusterView;
import network.aios.server.domain.DomainException;
import network.aios.server.infra.InfraService;
import network.aios.store.ClusterQuery;
import network.aios.store.ClusterRecord;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Cluster routes: the Parser's {@code POST /api/createCluster}, the resource API under
 * {@code /api/v1/clusters}, and the AIOS gateway's {@code /clusters/read|update|delete|query} paths.
 */
public final class ClusterRoutes {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 500;

    private final ClusterService clusters;
    private final InfraService infra;
    /** Whether a cluster is run in pull mode (its infrastructure is its agent's to remove). */
    private final java.util.function.Predicate<String> pulled;

    public ClusterRoutes(ClusterService clusters, InfraService infra, java.util.function.Predicate<String> pulled) {
        this.clusters = clusters;
        this.infra = infra;
        this.pulled = pulled;
    }

    public void register(RoutesConfig r) {
        r.post("/api/createCluster", this::create);
        r.post("/api/v1/clusters", this::create);
        r.get("/api/v1/clusters", this::list);
        r.get("/api/v1/clusters/{id}", this::get);
        r.put("/api/v1/clusters/{id}", this::replace);
        r.patch("/api/v1/clusters/{id}", this::patch);
        r.delete("/api/v1/clusters/{id}", this::delete);
        r.get("/clusters/read/{id}", this::get);
        r.put("/clusters/update/{id}", this::patch);
        r.post("/clusters/update/{id}", this::patch);
        r.delete("/clusters/delete/{id}", this::delete);
        r.post("/clusters/delete/{id}", this::delete);
        r.post("/clusters/query", this::query);
    }

    private void create(Context ctx) {
        boolean dryRun = Boolean.parseBoolean(ctx.queryParam("dryRun"));
        ClusterService.Outcome out = clusters.create(principal(ctx), ctx.bodyAsBytes(), dryRun);
        ObjectNode view = ClusterView.of(out.record());
        if (dryRun) {
            view.put("dryRun", true);
            Http.json(ctx, 200, view);
            return;
        }
        Http.versioned(ctx, out.record().version());
        ctx.header("Location", "/api/v1/clusters/" + out.record().id());
        Http.json(ctx, 201, view);
    }

    private void get(Context ctx) {
        respond(ctx, clusters.get(principal(ctx), ctx.pathParam("id")));
    }

    private void replace(Context ctx) {
        respond(ctx, clusters.replace(principal(ctx), ctx.pathParam("id"), ctx.bodyAsBytes(), Http.ifMatch(ctx)));
    }

    private void patch(Context ctx) {
        respond(ctx, clusters.patch(principal(ctx), ctx.pathParam("id"), ctx.bodyAsBytes(), Http.ifMatch(ctx)));
    }

    private void delete(Context ctx) {
        String id = ctx.pathParam("id");
        List<String> addons = List.of();
        if (Boolean.parseBoolean(ctx.queryParam("cascade"))) {
            // said in the answer: a cascade deletes the add-on registrations bound to the cluster too
            addons = clusters.boundAddons(principal(ctx), id);
            if (pulled.test(id)) {
                clusters.get(principal(ctx), id); // another owner's: a 404, not this answer
                throw new DomainException(
                                DomainException.Kind.CONFLICT,
                                "has_infrastructure",
                                "cluster '" + id + "' joined in pull mode: its agent removes its infrastructure first",
                                List.of(),
                                "aios cluster infra remove " + id + " --wait, then delete it")
                        .withNext("DELETE", "/api/v1/clusters/" + id + "/infra");
            }
            InfraService.Scheduled s = infra.deleteWithInfra(principal(ctx), id, Http.ifMatch(ctx));
            if (s != null) {
                ctx.header("Location", "/api/v1/jobs/" + s.job().id());
                ObjectNode body = Json.object()
                        .put("id", id)
                        .put("deleted", false)
                        .put("message", s.note())
                        .put("job_id", s.job().id())
                        .put("status_url", "/api/v1/jobs/" + s.job().id());
                addons.forEach(body.putArray("addonsDeleted")::add);
                Http.json(ctx, 202, body);
                return;
            }
        } else {
            clusters.delete(principal(ctx), id, Http.ifMatch(ctx));
        }
        ObjectNode body = Json.object().put("id", id).put("deleted", true);
        addons.forEach(body.putArray("addonsDeleted")::add);
        Http.json(ctx, 200, body);
    }

    private static void respond(Context ctx, ClusterRecord r) {
        Http.versioned(ctx, r.version());
        Http.json(ctx, 200, ClusterView.of(r));
    }

    private void list(Context ctx) {
        Map<String, List<String>> q = ctx.queryParamMap();
        QueryReader in = new QueryReader("/query");
        List<String> tags = new ArrayList<>();
        q.getOrDefault("tag", List.of()).forEach(t -> tags.addAll(Arrays.asList(t.split(","))));
        q.getOrDefault("tags", List.of()).forEach(t -> tags.addAll(Arrays.asList(t.split(","))));
        ClusterQuery query = new ClusterQuery(
                null,
                first(q, "region"),
                in.status(first(q, "status")),
                tags.stream().map(String::trim).filter(s -> !s.isEmpty()).toList(),
                first(q, "gpuModel"),
                in.integer("minGpus", first(q, "minGpus")),
                in.integer("minVcpus", first(q, "minVcpus")),
                in.longValue("minMemory", first(q, "minMemory")),
                first(q, "continue"),
                in.limit(first(q, "limit")));
        in.throwIfAny();
        page(ctx, query);
    }

    /** The AIOS gateway's query: {"query": {regionId, status, tags, gpuModel, minGpus, minVcpus, minMemory, limit, continue}}. */
    private void query(Context ctx) {
        JsonNode body = Bodies.object(ctx.bodyAsBytes());
        JsonNode q = body.has("query") ? body.get("query") : body;
        QueryReader in = new QueryReader("/query");
        if (!q.isObject()) {
            throw DomainException.invalid(List.of(new FieldError("/query", "must be an object of filters")));
        }
        List<String> known = List.of(
                "regionId", "status", "tags", "gpuModel", "minGpus", "minVcpus", "minMemory", "limit", "continue");
        q.propertyNames().stream()
                .filter(k -> !known.contains(k))
                .forEach(k -> in.errors.add(new FieldError("/query/" + k, "unknown filter; known: " + known)));
        List<String> tags = new ArrayList<>();
        JsonNode t = q.get("tags");
        if (t != null && t.isArray()) {
            for (int i = 0; i < t.size(); i++) {
                if (t.get(i).isString()) {
                    tags.add(t.get(i).asString());
                } else {
                    in.errors.add(new FieldError("/query/tags/" + i, "must be a string"));
                }
            }
        } else if (t != null && t.isString()) {
            tags.add(t.asString());
        } else if (t != null && !t.isNull()) {
            in.errors.add(new FieldError("/query/tags", "must be a string or an array of strings"));
        }
        ClusterQuery query = new ClusterQuery(
                null,
                in.text(q, "regionId"),
                in.status(in.text(q, "status")),
                tags,
                in.text(q, "gpuModel"),
                in.integer("minGpus", in.text(q, "minGpus")),
                in.integer("minVcpus", in.text(q, "minVcpus")),
                in.longValue("minMemory", in.text(q, "minMemory")),
                in.text(q, "continue"),
                in.limit(in.text(q, "limit")));
        in.throwIfAny();
        page(ctx, query);
    }

    private void page(Context ctx, ClusterQuery query) {
        network.aios.store.Page<ClusterRecord> listed = clusters.list(principal(ctx), query);
        List<ClusterRecord> page = listed.items();
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray("items");
        page.forEach(r -> items.add(ClusterView.of(r)));
        if (listed.more() && !page.isEmpty()) {
            out.put("continue", page.get(page.size() - 1).id());
        } else {
            out.putNull("continue");
        }
        Http.json(ctx, 200, out);
    }

    private static String first(Map<String, List<String>> q, String key) {
        List<String> v = q.get(key);
        return v == null || v.isEmpty() || v.get(0).isBlank() ? null : v.get(0);
    }

    /** Reads typed filters, collecting every bad one before answering 400. */
    private static final class QueryReader {
        final String at;
        final List<FieldError> errors = new ArrayList<>();

        QueryReader(String at) {
            this.at = at;
        }

        /** A filter's value as text: strings, numbers and booleans; anything else is an error. */
        String text(JsonNode q, String key) {
            JsonNode v = q.get(key);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isValueNode()) {
                errors.add(new FieldError(at + "/" + key, "must be a string or a number"));
                return null;
            }
            return v.isNumber() ? v.numberValue().toString() : v.asString();
        }

        Integer integer(String name, String v) {
            Long l = longValue(name, v);
            if (l != null && l > Integer.MAX_VALUE) {
                errors.add(new FieldError(at + "/" + name, "too large"));
                return null;
            }
            return l == null ? null : l.intValue();
        }

        Long longValue(String name, String v) {
            if (v == null) {
                return null;
            }
            try {
                long l = Long.parseLong(v.trim());
                if (l < 0) {
                    throw new NumberFormatException();
                }
                return l;
            } catch (NumberFormatException e) {
                errors.add(new FieldError(at + "/" + name, "must be a non-negative integer; got '" + v + "'"));
                return null;
            }
        }

        String status(String v) {
            if (v != null && ClusterStatus.fromWire(v).isEmpty()) {
                errors.add(
                        new FieldError(at + "/status", "unknown status '" + v + "'; known: " + ClusterStatus.known()));
            }
            return v;
        }

        int limit(String v) {
            Integer l = integer("limit", v);
            if (l == null) {
                return DEFAULT_LIMIT;
            }
            if (l < 1 || l > MAX_LIMIT) {
                errors.add(new FieldError(at + "/limit", "must be between 1 and " + MAX_LIMIT));
            }
            return l;
        }

        void throwIfAny() {
            if (!errors.isEmpty()) {
                throw DomainException.badRequest("invalid query", errors);
            }
        }
    }
}
