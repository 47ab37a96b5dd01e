package network.aios.server.http;

import static network.aios.server.http.Authenticator.principal;
import static network.aios.server.http.Authenticator.requireAdmin;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import network.aios.api.ClusterValidator;
import network.aios.api.FieldError;
import network.aios.api.Json;
import network.aios.policy.CompiledPolicy;
import network.aios.policy.Decision;
import network.aios.policy.PolicyAction;
import network.aios.server.domain.DomainException;
import network.aios.server.policy.PolicyService;
import network.aios.store.PolicyRecord;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Network pre-check policies: read, set (admin), list versions, dry-run. */
public final class PolicyRoutes {
    private final PolicyService policies;

    public PolicyRoutes(PolicyService policies) {
        this.policies = policies;
    }

    public void register(RoutesConfig r) {
        r.get("/api/v1/policies", this::listActions);
        r.get("/api/v1/policies/{action}", this::current);
        r.put("/api/v1/policies/{action}", this::set);
        r.get("/api/v1/policies/{action}/versions", this::versions);
        r.get("/api/v1/policies/{action}/versions/{version}", this::version);
        r.post("/api/v1/policies/{action}/dry-run", this::dryRun);
        r.post("/api/v1/policies/{action}/check", this::check);
    }

    private void listActions(Context ctx) {
        principal(ctx);
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (PolicyAction a : PolicyAction.values()) {
            out.add(view(a, policies.current(a).orElse(null)));
        }
        Http.json(ctx, 200, Json.object().set("items", out));
    }

    private void current(Context ctx) {
        principal(ctx);
        PolicyAction a = PolicyService.action(ctx.pathParam("action"));
        Http.json(ctx, 200, view(a, policies.current(a).orElse(null)));
    }

    private void set(Context ctx) {
        requireAdmin(principal(ctx));
        PolicyAction a = PolicyService.action(ctx.pathParam("action"));
        PolicyRecord r =
                policies.set(a, Bodies.object(ctx.bodyAsBytes()), principal(ctx).name());
        Http.json(ctx, 201, view(a, r));
    }

    private void versions(Context ctx) {
        principal(ctx);
        PolicyAction a = PolicyService.action(ctx.pathParam("action"));
        ArrayNode out = Json.MAPPER.createArrayNode();
        policies.versions(a).forEach(r -> out.add(view(a, r)));
        Http.json(ctx, 200, Json.object().set("items", out));
    }

    private void version(Context ctx) {
        principal(ctx);
        PolicyAction a = PolicyService.action(ctx.pathParam("action"));
        int v;
        try {
            v = Integer.parseInt(ctx.pathParam("version"));
        } catch (NumberFormatException e) {
            throw DomainException.badRequest(
                    "invalid version", List.of(new FieldError("/path/version", "must be an integer")));
        }
        Http.json(
                ctx,
                200,
                view(
                        a,
                        policies.version(a, v)
                                .orElseThrow(
                                        () -> DomainException.notFound("version " + v + " of policy " + a.wire()))));
    }

    /**
     * Admin only: {"cluster_data": doc, "old_cluster_data": doc?, "policy": spec?} evaluates the given
     * policy, or the one in force, without storing anything. A submitted policy can name any executor URL
     * and run any rule, so owners get {@link #check} instead.
     */
    private void dryRun(Context ctx) {
        requireAdmin(principal(ctx));
        evaluate(ctx, true);
    }

    /** Anyone: would this document pass the policy in force? {"cluster_data": doc, "old_cluster_data": doc?}. */
    private void check(Context ctx) {
        principal(ctx);
        evaluate(ctx, false);
    }

    private void evaluate(Context ctx, boolean mayGivePolicy) {
        PolicyAction a = PolicyService.action(ctx.pathParam("action"));
        JsonNode body = Bodies.object(ctx.bodyAsBytes());
        if (!mayGivePolicy && body.has("policy")) {
            throw DomainException.invalid(List.of(new FieldError(
                    "/policy",
                    "is not accepted here: this checks the policy "
                            + "in force; only the network admin may try another one (POST .../dry-run)")));
        }
        JsonNode data = body.get("cluster_data");
        if (data == null || !data.isObject()) {
            throw DomainException.invalid(
                    List.of(new FieldError("/cluster_data", "is required: the cluster document")));
        }
        ClusterValidator.Result valid = new ClusterValidator().validate(data);
        if (!valid.valid()) {
            throw DomainException.invalid(valid.errors().stream()
                    .map(e -> e.prefixed("/cluster_data"))
                    .toList());
        }
        JsonNode old = body.get("old_cluster_data");
        JsonNode node = body.get("node_data"); // add_node, remove_node: the node the decision is about
        if (node != null && !node.isObject()) {
            throw DomainException.invalid(List.of(new FieldError("/node_data", "must be an object: one node")));
        }
        ObjectNode out = Json.object();
        out.put("action", a.wire());
        Decision d;
        if (body.hasNonNull("policy")) {
            CompiledPolicy p;
            try {
                p = PolicyService.parse(body.get("policy"));
            } catch (DomainException e) {
                throw DomainException.invalid(
                        e.details().stream().map(x -> x.prefixed("/policy")).toList());
            }
            d = policies.evaluate(p, valid.document(), old, node);
            out.putNull("version");
        } else {
            PolicyService.Admission adm = policies.check(a, valid.document(), old, node);
            d = adm.decision();
            if (adm.version() == null) {
                out.putNull("version");
            } else {
                out.put("version", adm.version());
            }
        }
        out.put("allowed", d.isAllowed());
        out.put("outcome", d.outcome().name().toLowerCase());
        ArrayNode reasons = out.putArray("reasons");
        d.reasons().forEach(reasons::add);
        Http.json(ctx, 200, out);
    }

    private static ObjectNode view(PolicyAction a, PolicyRecord r) {
        ObjectNode out = Json.object();
        out.put("action", a.wire());
        if (r == null) {
            out.putNull("version");
            out.putArray("rules");
            out.put("note", "no policy set: every valid request is admitted");
            return out;
        }
        out.put("version", r.version());
        out.put("createdAt", r.createdAt().toString());
        out.put("createdBy", r.createdBy());
        r.spec().properties().forEach(e -> out.set(e.getKey(), e.getValue()));
        if (!out.has("rules")) {
            out.putArray("rules");
        }
        return out;
    }
}
