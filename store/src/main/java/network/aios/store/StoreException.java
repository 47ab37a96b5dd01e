package network.aios.store;

/** The database failed (not a domain outcome such as a taken id); answered as a 5xx without SQL text. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
