package network.aios.api;

/** JSON pointer construction (RFC 6901), so every error names its field the same way. */
public final class Pointer {
    private Pointer() {}

    public static String child(String parent, String key) {
        return parent + "/" + key.replace("~", "~0").replace("/", "~1");
    }

    public static String child(String parent, int index) {
        return parent + "/" + index;
    }
}
