package network.aios.server.http;

import static network.aios.server.http.Authenticator.principal;
import static network.aios.server.http.Authenticator.requireAdmin;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import network.aios.api.FieldError;
import network.aios.api.Json;
import network.aios.server.audit.AuditLog;
import network.aios.server.domain.DomainException;
import network.aios.store.AuditStore;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code GET /api/v1/audit} (admin): the audit log, newest first, filtered and paged. */
public final class AuditRoutes {
    private final AuditLog audit;

    public AuditRoutes(AuditLog audit) {
        this.audit = audit;
    }

    public void register(RoutesConfig r) {
        r.get("/api/v1/audit", this::list);
    }

    private void list(Context ctx) {
        network.aios.server.auth.Principal who = principal(ctx);
        requireAdmin(who);
        int limit = integer(ctx, "limit", 100, 1, 1000);
        String cont = ctx.queryParam("continue");
        Long before = cont == null ? null : (long) integer(ctx, "continue", 0, 1, Integer.MAX_VALUE);
        network.aios.store.Page<AuditStore.Entry> page = audit.query(
                who,
                blankToNull(ctx.queryParam("cluster")),
                blankToNull(ctx.queryParam("actor")),
                blankToNull(ctx.queryParam("action")),
                time(ctx, "since"),
                time(ctx, "until"),
                before,
                limit);
        List<AuditStore.Entry> rows = page.items();
        ArrayNode items = Json.MAPPER.createArrayNode();
        for (AuditStore.Entry e : rows) {
            ObjectNode o = items.addObject()
                    .put("seq", e.seq())
                    .put("at", e.at().toString())
                    .put("actor", e.actor())
                    .put("action", e.action())
                    .put("target", e.target());
            if (e.detailJson() != null) {
                o.set("detail", Json.parse(e.detailJson()));
            }
        }
        ObjectNode out = Json.object().set("items", items);
        if (page.more() && !rows.isEmpty()) {
            out.put("continue", Long.toString(rows.get(rows.size() - 1).seq()));
        }
        Http.json(ctx, 200, out);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static int integer(Context ctx, String name, int dflt, int min, int max) {
        String v = ctx.queryParam(name);
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw DomainException.badRequest(
                "invalid query parameter " + name,
                List.of(new FieldError("/query/" + name, "must be an integer from " + min + " to " + max)));
    }

    private static Instant time(Context ctx, String name) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw DomainException.badRequest(
                    "invalid query parameter " + name,
                    List.of(new FieldError("/query/" + name, "must be an RFC 3339 time such as 2026-11-30T12:00:00Z")));
        }
    }
}
