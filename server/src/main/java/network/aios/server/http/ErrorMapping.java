package network.aios.server.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.HttpResponseException;
import java.util.List;
import java.util.UUID;
import network.aios.server.domain.DomainException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every failure in the API's one error shape: the domain's, a quota's, text that cannot be stored, Javalin's
 * own answers (no route, wrong method, body too large), the database away (503 with Retry-After), and anything
 * else as a 500 with a reference that the log has with its stack.
 */
public final class ErrorMapping {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapping.class);

    private ErrorMapping() {}

    public static void register(RoutesConfig r, long maxBody) {
        r.exception(DomainException.class, (e, ctx) -> Http.error(ctx, e));
        r.exception(network.aios.store.QuotaStore.Exceeded.class, (e, ctx) -> {
            if (e.retryAfterSeconds() > 0) {
                ctx.header("Retry-After", Long.toString(e.retryAfterSeconds()));
            }
            Http.error(ctx, network.aios.server.quotas.QuotaService.refusal(e));
        });
        r.exception(
                network.aios.api.UnstorableTextException.class,
                (e, ctx) -> Http.error(ctx, DomainException.invalid(e.errors())));
        r.exception(HttpResponseException.class, (e, ctx) -> Http.error(ctx, fromJavalin(e, ctx, maxBody)));
        r.exception(Exception.class, (e, ctx) -> {
            if (Http.storeUnreachable(e)) {
                ctx.header("Retry-After", "5");
                Http.error(
                        ctx,
                        new DomainException(
                                DomainException.Kind.UNAVAILABLE,
                                "store_unavailable",
                                "the control plane's database does not answer; retry shortly",
                                List.of(),
                                null));
                return;
            }
            String ref = UUID.randomUUID().toString();
            LOG.error("internal error {} on {} {}", ref, ctx.method(), ctx.path(), e);
            Http.error(
                    ctx,
                    new DomainException(
                            DomainException.Kind.INTERNAL,
                            "internal_error",
                            "internal error; reference " + ref,
                            List.of(),
                            null));
        });
    }

    /** Javalin's own answers (no route, wrong method, body too large) in the API's error shape. */
    static DomainException fromJavalin(HttpResponseException e, io.javalin.http.Context ctx, long maxBody) {
        return switch (e.getStatus()) {
            case 404 -> DomainException.notFound("route " + ctx.method() + " " + ctx.path());
            case 405 ->
                new DomainException(
                        DomainException.Kind.NOT_ALLOWED,
                        "method_not_allowed",
                        ctx.method() + " is not allowed on " + ctx.path(),
                        List.of(),
                        null);
            case 413 ->
                new DomainException(
                        DomainException.Kind.TOO_LARGE,
                        "payload_too_large",
                        "the request body is larger than the limit of " + maxBody + " bytes",
                        List.of(),
                        null);
            default ->
                new DomainException(Http.kind(e.getStatus()), "http_" + e.getStatus(), e.getMessage(), List.of(), null);
        };
    }
}
