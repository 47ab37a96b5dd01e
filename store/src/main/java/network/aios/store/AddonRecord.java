package network.aios.store;

import java.time.Instant;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/**
 * A registered add-on. {@code publicUrl} is null for a deployed kind until it is deployed;
 * {@code infraStatus} is null unless the control plane deployed it (provisioning, ready, failed,
 * deprovisioning).
 */
public record AddonRecord(
        String id,
        String kind,
        String name,
        String owner,
        String clusterId,
        String publicUrl,
        List<String> tags,
        ObjectNode document,
        long version,
        Instant createdAt,
        Instant updatedAt,
        Health health,
        String infraStatus) {

    /** What the last probe of the add-on's URL saw; {@code lastSeenAt} is the last time it answered. */
    public record Health(String status, String message, Instant checkedAt, Instant lastSeenAt) {
        public static final Health UNKNOWN = new Health("unknown", null, null, null);
    }
}
