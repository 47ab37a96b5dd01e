package network.aios.api;

/** One problem with a request, located by a JSON pointer (RFC 6901) into what the client sent. */
public record FieldError(String path, String message) {
    public FieldError prefixed(String pointerPrefix) {
        return new FieldError(pointerPrefix + path, message);
    }
}
