package network.aios.agent;

import java.util.ArrayList;
import java.util.List;
import network.aios.api.Json;
import tools.jackson.databind.JsonNode;

/**
 * The desired set {@code GET /api/v1/pull/desired} answers ({@code docs/PULL.md}), read leniently (fields
 * added later are ignored). The objects stay JSON until applied: the agent sends what the control plane
 * rendered, and reads only what it needs to report and prune.
 */
record PullDesired(
        String clusterId,
        String revision,
        boolean remove,
        String fieldManager,
        List<Wave> waves,
        PullPrune prune,
        List<String> deployments,
        int resyncSeconds,
        PullNodeJoins.Work nodeJoins) {
    static final String DEFAULT_FIELD_MANAGER = "aios-pull-agent";
    /** Below this a resync would keep the agent applying without pause, whatever the control plane says. */
    static final int MIN_RESYNC_SECONDS = 1;

    static final int DEFAULT_RESYNC_SECONDS = 30;

    PullDesired {
        fieldManager = fieldManager == null || fieldManager.isBlank() ? DEFAULT_FIELD_MANAGER : fieldManager;
        waves = waves == null ? List.of() : List.copyOf(waves);
        deployments = deployments == null ? List.of() : List.copyOf(deployments);
        prune = prune == null ? new PullPrune(null, null, null, null) : prune;
        nodeJoins = nodeJoins == null ? PullNodeJoins.Work.NONE : nodeJoins;
        resyncSeconds = resyncSeconds <= 0 ? DEFAULT_RESYNC_SECONDS : Math.max(MIN_RESYNC_SECONDS, resyncSeconds);
    }

    /** One wave: its objects are applied before the next wave's. */
    record Wave(String name, List<JsonNode> objects) {
        Wave {
            objects = objects == null ? List.of() : List.copyOf(objects);
        }
    }

    static PullDesired parse(String body) {
        return Json.MAPPER.readValue(body, PullDesired.class);
    }

    /** Every object the waves name (kind, namespace, name): the prune rule never selects these. */
    List<PullPrune.Named> named() {
        List<PullPrune.Named> out = new ArrayList<>();
        for (Wave w : waves) {
            for (JsonNode o : w.objects()) {
                JsonNode ns = o.path("metadata").path("namespace");
                out.add(new PullPrune.Named(
                        o.path("kind").asString(""),
                        ns.isString() && !ns.asString().isEmpty() ? ns.asString() : null,
                        o.path("metadata").path("name").asString("")));
            }
        }
        return out;
    }
}
