package network.aios.server.http;

import java.util.List;
import network.aios.api.DocumentParser;
import network.aios.api.FieldError;
import network.aios.api.MalformedDocumentException;
import network.aios.server.clusters.ClusterService;
import network.aios.server.domain.DomainException;
import tools.jackson.databind.JsonNode;

/** Request bodies that must be a JSON object: 400 with line/column when they aren't JSON, 422 when not an object. */
final class Bodies {
    private Bodies() {}

    static JsonNode object(byte[] body) {
        JsonNode node;
        try {
            node = DocumentParser.parseJson(body);
        } catch (MalformedDocumentException e) {
            throw ClusterService.malformed(e);
        }
        if (!node.isObject()) {
            throw DomainException.invalid(List.of(new FieldError("", "must be a JSON object")));
        }
        return node;
    }
}
