package network.aios.api;

/** The request body is not JSON at all; carries where the parser stopped and, if we know it, why. */
public final class MalformedDocumentException extends Exception {
    private final int line;
    private final int column;
    private final String hint;

    public MalformedDocumentException(String message, int line, int column, String hint) {
        super(message);
        this.line = line;
        this.column = column;
        this.hint = hint;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    /** A suggestion for the client, or null. */
    public String hint() {
        return hint;
    }
}
