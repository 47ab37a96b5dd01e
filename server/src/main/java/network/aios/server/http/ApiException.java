package network.aios.server.http;

import java.util.List;
import network.aios.api.FieldError;

/** A domain failure with its HTTP status, stable code and field errors; mapped to one error body shape. */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String code;
    private final List<FieldError> details;
    private final String hint;

    public ApiException(int status, String code, String message, List<FieldError> details, String hint) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.details = details == null ? List.of() : List.copyOf(details);
        this.hint = hint;
    }

    public static ApiException badRequest(String message, List<FieldError> details) {
        return new ApiException(400, "bad_request", message, details, null);
    }

    public static ApiException invalid(List<FieldError> details) {
        return new ApiException(422, "validation_failed", details.size() == 1
                ? "the document has 1 error" : "the document has " + details.size() + " errors", details, null);
    }

    public static ApiException notFound(String what) {
        return new ApiException(404, "not_found", what + " not found", null, null);
    }

    public static ApiException conflict(String message) {
        return new ApiException(409, "conflict", message, null, null);
    }

    public static ApiException forbidden(String message) {
        return new ApiException(403, "forbidden", message, null, null);
    }

    public int status() {
        return status;
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
}
