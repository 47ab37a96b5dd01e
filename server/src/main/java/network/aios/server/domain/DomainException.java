package network.aios.server.domain;

import java.util.List;
import network.aios.api.FieldError;

/**
 * What went wrong, in the domain's words: a kind (not found, conflict, invalid with field errors, …),
 * a stable code, a message, the field errors (JSON pointers) and a hint. Services throw it; only the
 * HTTP layer knows which status each kind is answered with.
 */
public final class DomainException extends RuntimeException {
    /** The kinds of failure a caller can act on differently. */
    public enum Kind {
        /** The request itself is malformed (not the document in it). */
        BAD_REQUEST,
        /** No valid credentials. */
        UNAUTHENTICATED,
        /** Authenticated, but not allowed. */
        FORBIDDEN,
        NOT_FOUND,
        /** The operation does not exist on this resource. */
        NOT_ALLOWED,
        /** The state does not allow it now (already exists, in use, under way). */
        CONFLICT,
        /** A condition the caller set (If-Match) does not hold. */
        PRECONDITION_FAILED,
        /** The caller must set a condition (If-Match) for this. */
        PRECONDITION_REQUIRED,
        TOO_LARGE,
        /** The document or parameters fail validation: see the field errors. */
        INVALID,
        TOO_MANY_REQUESTS,
        /** A system the control plane depends on (a member cluster, an executor) failed. */
        UPSTREAM_FAILED,
        UNAVAILABLE,
        INTERNAL
    }

    private final Kind kind;
    private final String code;
    private final List<FieldError> details;
    private final String hint;
    private final NextStep next;

    /** The request that resolves it, for clients to offer (the CLI names its own command for it). */
    public record NextStep(String method, String path) {}

    public DomainException(Kind kind, String code, String message, List<FieldError> details, String hint) {
        this(kind, code, message, details, hint, null);
    }

    private DomainException(
            Kind kind, String code, String message, List<FieldError> details, String hint, NextStep next) {
        super(message, null, false, false);
        this.kind = kind;
        this.code = code;
        this.details = details == null ? List.of() : List.copyOf(details);
        this.hint = hint;
        this.next = next;
    }

    /** This failure, with the request that resolves it (e.g. {@code DELETE /api/v1/clusters/c1/infra}). */
    public DomainException withNext(String method, String path) {
        return new DomainException(kind, code, getMessage(), details, hint, new NextStep(method, path));
    }

    public static DomainException badRequest(String message, List<FieldError> details) {
        return new DomainException(Kind.BAD_REQUEST, "bad_request", message, details, null);
    }

    public static DomainException invalid(List<FieldError> details) {
        return new DomainException(
                Kind.INVALID,
                "validation_failed",
                details.size() == 1 ? "the document has 1 error" : "the document has " + details.size() + " errors",
                details,
                null);
    }

    public static DomainException notFound(String what) {
        return new DomainException(Kind.NOT_FOUND, "not_found", what + " not found", null, null);
    }

    public static DomainException conflict(String message) {
        return new DomainException(Kind.CONFLICT, "conflict", message, null, null);
    }

    public static DomainException forbidden(String message) {
        return new DomainException(Kind.FORBIDDEN, "forbidden", message, null, null);
    }

    public Kind kind() {
        return kind;
    }

    public String code() {
        return code;
    }

    public List<FieldError> details() {
        return details;
    }

    public String hint() {
        return hint;
    }

    /** Null when there is no one request that resolves it. */
    public NextStep next() {
        return next;
    }
}
