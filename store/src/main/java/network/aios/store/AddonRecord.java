package network.aios.store;

import java.time.Instant;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/** A registered add-on (container registry, asset registry, inference server). */
public record AddonRecord(String id, String kind, String name, String owner, String clusterId, String publicUrl,
        List<String> tags, ObjectNode document, long version, Instant createdAt, Instant updatedAt) {}
