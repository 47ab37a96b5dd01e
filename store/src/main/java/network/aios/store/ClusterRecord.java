package network.aios.store;

import java.time.Instant;
import tools.jackson.databind.node.ObjectNode;

/** A stored cluster: the document and what the server owns about it. */
public record ClusterRecord(
        String id,
        String owner,
        String status,
        String requestedStatus,
        ObjectNode document,
        long version,
        Instant createdAt,
        Instant updatedAt,
        String policyAction,
        Integer policyVersion,
        double reputation) {}
