package network.aios.store;

import java.time.Instant;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/** A registered add-on (container registry, asset registry, inference server). */
public record AddonRecord(String id, String kind, String name, String owner, String clusterId, String publicUrl,
        List<String> tags, ObjectNode document, long version, Instant createdAt, Instant updatedAt, Health health) {

    /** What the last probe of the add-on's URL saw; {@code lastSeenAt} is the last time it answered. */
    public record Health(String status, String message, Instant checkedAt, Instant lastSeenAt) {
        public static final Health UNKNOWN = new Health("unknown", null, null, null);
    }
}
