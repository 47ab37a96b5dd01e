package network.aios.api;

import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** The project's one JSON and YAML configuration, shared by server, store and CLI. */
public final class Json {
    /** Tolerates `//` and block comments (the seed's example has them); rejects duplicate keys. */
    public static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();

    public static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private Json() {}

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    public static byte[] bytes(Object value) {
        return MAPPER.writeValueAsBytes(value);
    }

    public static String pretty(Object value) {
        return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
    }

    public static String yaml(Object value) {
        return YAML.writeValueAsString(value);
    }

    public static JsonNode tree(Object value) {
        return MAPPER.valueToTree(value);
    }

    public static JsonNode parse(String text) {
        return MAPPER.readTree(text);
    }

    /**
     * {@code values} with its object keys in the order {@code order} has them (recursively, arrays element by
     * element); keys {@code order} lacks follow in their own order. For giving back a document in the order
     * its author wrote it when the values come from a store that keeps its own order (jsonb).
     */
    public static ObjectNode orderedLike(ObjectNode values, JsonNode order) {
        return (ObjectNode) reordered(values, order);
    }

    private static JsonNode reordered(JsonNode value, JsonNode order) {
        if (value.isObject() && order != null && order.isObject()) {
            ObjectNode out = object();
            for (String key : order.propertyNames()) {
                if (value.has(key)) {
                    out.set(key, reordered(value.get(key), order.get(key)));
                }
            }
            for (String key : value.propertyNames()) {
                if (!out.has(key)) {
                    out.set(key, value.get(key));
                }
            }
            return out;
        }
        if (value.isArray() && order != null && order.isArray()) {
            tools.jackson.databind.node.ArrayNode out = MAPPER.createArrayNode();
            for (int i = 0; i < value.size(); i++) {
                out.add(reordered(value.get(i), order.get(i)));
            }
            return out;
        }
        return value;
    }
}
