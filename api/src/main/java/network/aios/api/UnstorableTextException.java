package network.aios.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A request holds text no database can keep: U+0000 (PostgreSQL's text and jsonb refuse it) or a lone
 * UTF-16 surrogate (not a character at all), or a number beyond the range of a double (it would be kept as
 * "Infinity", a string where a number was sent). Found once, where bodies are parsed, for every write.
 */
public final class UnstorableTextException extends RuntimeException {
    private static final String WHY = "contains a character that cannot be stored (U+0000 or an unpaired surrogate)";
    private final List<FieldError> errors;

    public UnstorableTextException(List<FieldError> errors) {
        super("unstorable text at " + errors.size() + " place(s)", null, false, false);
        this.errors = List.copyOf(errors);
    }

    public List<FieldError> errors() {
        return errors;
    }

    /** Throws when any key or string value in {@code node} cannot be stored; each place at its pointer. */
    public static void check(JsonNode node) {
        List<FieldError> found = new ArrayList<>();
        walk(node, "", found);
        if (!found.isEmpty()) {
            throw new UnstorableTextException(found);
        }
    }

    /** Whether {@code s} can be stored. */
    public static boolean storable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0) {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static void walk(JsonNode n, String at, List<FieldError> found) {
        if (found.size() >= 20) {
            return;
        }
        if (n.isString()) {
            if (!storable(n.asString())) {
                found.add(new FieldError(at, WHY));
            }
        } else if (n.isFloatingPointNumber() && !Double.isFinite(n.doubleValue())) {
            found.add(new FieldError(at, "is a number too large to keep (beyond ±1.8e308)"));
        } else if (n.isObject()) {
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                if (!storable(e.getKey())) {
                    found.add(new FieldError(at, "has a key that " + WHY)); // the key itself can't be quoted
                } else {
                    walk(e.getValue(), Pointer.child(at, e.getKey()), found);
                }
            }
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                walk(n.get(i), at + "/" + i, found);
            }
        }
    }
}
