package network.aios.store;

import java.time.Instant;
import tools.jackson.databind.JsonNode;

/** One stored version of one action's policy. */
public record PolicyRecord(String action, int version, JsonNode spec, Instant createdAt, String createdBy) {}
