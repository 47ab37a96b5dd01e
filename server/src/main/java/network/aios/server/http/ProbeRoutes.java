package network.aios.server.http;

import io.javalin.config.RoutesConfig;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import network.aios.api.Json;
import network.aios.server.runtime.Loops;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The probes a supervisor or a load balancer asks without a token: {@code /healthz} (the database answers;
 * the configuration's warnings) and {@code /readyz} (that, and every background loop made progress lately).
 */
public final class ProbeRoutes {
    /** The paths that need no token. */
    public static final Set<String> PATHS = Set.of("/healthz", "/readyz");

    private final BooleanSupplier store;
    private final Loops loops;
    private final List<String> warnings;
    private final Clock clock;

    public ProbeRoutes(BooleanSupplier store, Loops loops, List<String> warnings, Clock clock) {
        this.store = store;
        this.loops = loops;
        this.warnings = List.copyOf(warnings);
        this.clock = clock;
    }

    public void register(RoutesConfig r) {
        r.get("/healthz", ctx -> {
            // the truth about the one thing every request needs: the database answers, or it does not
            boolean up = store.getAsBoolean();
            ObjectNode h = Json.object()
                    .put("status", up ? "ok" : "store_unavailable")
                    .put("store", up ? "ok" : "unreachable");
            if (!warnings.isEmpty()) {
                warnings.forEach(h.putArray("warnings")::add);
            }
            Http.json(ctx, up ? 200 : 503, h);
        });
        r.get("/readyz", ctx -> {
            Instant now = clock.instant();
            ObjectNode out = Json.object();
            ArrayNode list = out.putArray("loops");
            boolean ready = true;
            for (Loops.State s : loops.states()) {
                boolean stale = s.stale(now);
                ready &= !stale;
                ObjectNode l = list.addObject()
                        .put("name", s.name())
                        .put("everyMillis", s.every().toMillis())
                        .put(
                                "lastSuccess",
                                s.lastSuccess() == null ? null : s.lastSuccess().toString())
                        .put("failures", s.failures())
                        .put("stale", stale);
                if (s.lastFailure() != null) {
                    l.put("lastFailure", s.lastFailure().toString()).put("lastError", s.lastError());
                }
            }
            boolean up = store.getAsBoolean();
            out.put("store", up ? "ok" : "unreachable");
            ready &= up;
            out.put("status", ready ? "ready" : "not_ready");
            Http.json(ctx, ready ? 200 : 503, out);
        });
    }
}
