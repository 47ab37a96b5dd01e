package network.aios.api;

import java.nio.charset.StandardCharsets;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;

/**
 * Turns a request body into a JSON tree: the raw document as the seed sends it, or the AIOS
 * envelope {@code {header:{templateUri}, body:{spec:{values:<document>}}}}.
 */
public final class DocumentParser {
    public static final String ENVELOPE_POINTER = "/body/spec/values";

    /** What was sent: the document itself, and the pointer prefix under which it was found. */
    public record Parsed(JsonNode document, String pointerPrefix, String templateUri) {
        public boolean enveloped() {
            return !pointerPrefix.isEmpty();
        }
    }

    private DocumentParser() {}

    /**
     * Parses a request body. Throws {@link UnstorableTextException} (unchecked, a 422) when a key or string
     * holds text no database can store.
     */
    public static JsonNode parseJson(byte[] body) throws MalformedDocumentException {
        if (isBlank(body)) {
            throw new MalformedDocumentException("request body is empty: expected a JSON document", 1, 1, null);
        }
        JsonNode tree;
        try {
            tree = Json.MAPPER.readTree(body);
        } catch (JacksonException e) {
            TokenStreamLocation at = e.getLocation();
            int line = at == null ? 0 : at.getLineNr();
            int column = at == null ? 0 : at.getColumnNr();
            String message = e.getOriginalMessage();
            int cut = message.indexOf('\n');
            throw new MalformedDocumentException(
                    cut > 0 ? message.substring(0, cut) : message, line, column, hintFor(body));
        }
        UnstorableTextException.check(tree); // every write's body comes through here
        return tree;
    }

    public static Parsed parse(byte[] body) throws MalformedDocumentException {
        JsonNode root = parseJson(body);
        JsonNode values = root.at(ENVELOPE_POINTER);
        if (root.isObject() && root.has("header") && root.has("body") && !root.has("id") && !values.isMissingNode()) {
            return new Parsed(
                    values, ENVELOPE_POINTER, root.at("/header/templateUri").asString(null));
        }
        return new Parsed(root, "", null);
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code curl -d @file} strips newlines, so a {@code //} comment then swallows the rest of the
     * document. A body with comment markers and no line break almost always got here that way.
     */
    private static String hintFor(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        if (text.contains("//") && !text.contains("\n")) {
            return "the body has // comments but no line breaks: curl -d strips newlines, so each comment "
                    + "swallows the rest of the document. Send the file unchanged with "
                    + "curl --data-binary @cluster.json (or remove the comments).";
        }
        return null;
    }
}
