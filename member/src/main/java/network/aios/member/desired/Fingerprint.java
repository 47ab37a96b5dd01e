package network.aios.member.desired;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import network.aios.api.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A stable digest of a set of desired objects: the same objects give the same fingerprint in any
 * run (keys sorted, so map order does not matter), any change to what would be applied changes it.
 */
public final class Fingerprint {
    private Fingerprint() {}

    public static String of(List<HasMetadata> objects) {
        ArrayNode all = Json.MAPPER.createArrayNode();
        for (HasMetadata o : objects) {
            all.add(canonical(Json.MAPPER.readTree(Serialization.asJson(o))));
        }
        return digest(Json.MAPPER.writeValueAsString(all));
    }

    /** SHA-256 of the text, hex. */
    public static String digest(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode canonical(JsonNode n) {
        if (n.isObject()) {
            List<String> names = new ArrayList<>(n.propertyNames());
            names.sort(null);
            ObjectNode out = Json.MAPPER.createObjectNode();
            for (String name : names) {
                out.set(name, canonical(n.get(name)));
            }
            return out;
        }
        if (n.isArray()) {
            ArrayNode out = Json.MAPPER.createArrayNode();
            n.forEach(e -> out.add(canonical(e)));
            return out;
        }
        return n;
    }
}
