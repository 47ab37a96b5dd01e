package network.aios.server.addons;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import network.aios.api.AddonKind;
import network.aios.api.AddonValidator;
import network.aios.api.FieldError;
import network.aios.api.Json;
import network.aios.server.auth.Principal;
import network.aios.server.http.ApiException;
import network.aios.store.AddonRecord;
import network.aios.store.AddonStore;
import network.aios.store.ClusterStore;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Registration of add-ons (container registries, asset registries, inference servers): validated,
 * optionally bound to a registered cluster, names unique per kind, owners see their own.
 */
public final class AddonService {
    private final AddonStore store;
    private final ClusterStore clusters;
    private final Clock clock;

    public AddonService(AddonStore store, ClusterStore clusters, Clock clock) {
        this.store = store;
        this.clusters = clusters;
        this.clock = clock;
    }

    public AddonRecord create(Principal who, AddonKind kind, JsonNode body) {
        ObjectNode doc = checked(who, kind, body);
        Instant now = clock.instant();
        AddonRecord r = record(kind, kind.wire().replace('_', '-') + "-" + UUID.randomUUID().toString().substring(0, 8),
                who.name(), doc, 1, now, now);
        return store.insert(r, who.name()).orElseThrow(() -> ApiException.conflict("a " + kind.wire()
                + " named '" + r.name() + "' is already registered"));
    }

    public AddonRecord get(Principal who, AddonKind kind, String id) {
        return store.get(kind.wire(), id).filter(a -> who.mayAccess(a.owner()))
                .orElseThrow(() -> ApiException.notFound(kind.wire() + " '" + id + "'"));
    }

    public List<AddonRecord> list(Principal who, AddonKind kind, List<String> tags, String cluster, String metadataKey,
            String after, int limit) {
        return store.list(kind.wire(), who.isAdmin() ? null : who.name(), tags, cluster, metadataKey, after, limit);
    }

    public AddonRecord replace(Principal who, AddonKind kind, String id, JsonNode body, Long ifMatch) {
        AddonRecord current = get(who, kind, id);
        long expected = ifMatch == null ? current.version() : ifMatch;
        if (expected != current.version()) {
            throw new ApiException(412, "precondition_failed", kind.wire() + " '" + id + "' is at version "
                    + current.version() + ", not the version in If-Match", List.of(), null);
        }
        ObjectNode doc = checked(who, kind, body);
        Instant now = clock.instant();
        AddonRecord next = record(kind, id, current.owner(), doc, expected + 1, current.createdAt(), now);
        switch (store.replace(next, expected, who.name(), now)) {
            case NAME_TAKEN -> throw ApiException.conflict("a " + kind.wire() + " named '" + next.name()
                    + "' is already registered");
            case STALE -> throw ApiException.conflict(kind.wire() + " '" + id
                    + "' was changed concurrently; read it again and retry");
            case OK -> { }
        }
        return get(who, kind, id);
    }

    public void delete(Principal who, AddonKind kind, String id) {
        get(who, kind, id);
        if (!store.delete(kind.wire(), id, who.name(), clock.instant())) {
            throw ApiException.notFound(kind.wire() + " '" + id + "'");
        }
    }

    /** The stored registration as answered: the body's fields, plus id and what the server keeps. */
    public static ObjectNode view(AddonRecord a) {
        ObjectNode out = Json.object().put("id", a.id());
        a.document().properties().forEach(e -> out.set(e.getKey(), e.getValue()));
        ObjectNode system = out.putObject("system");
        system.put("kind", a.kind()).put("owner", a.owner()).put("version", a.version())
                .put("createdAt", a.createdAt().toString()).put("updatedAt", a.updatedAt().toString());
        ObjectNode health = system.putObject("health").put("status", a.health().status());
        health.put("message", a.health().message());
        health.put("checkedAt", a.health().checkedAt() == null ? null : a.health().checkedAt().toString());
        health.put("lastSeenAt", a.health().lastSeenAt() == null ? null : a.health().lastSeenAt().toString());
        return out;
    }

    private ObjectNode checked(Principal who, AddonKind kind, JsonNode body) {
        List<FieldError> errors = new ArrayList<>(AddonValidator.validate(kind, body));
        if (errors.isEmpty() && body.hasNonNull("cluster_id")) {
            String cluster = body.get("cluster_id").asString();
            if (clusters.get(cluster).filter(c -> who.mayAccess(c.owner())).isEmpty()) {
                errors.add(new FieldError("/cluster_id", "no registered cluster '" + cluster + "' of yours"));
            }
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        ObjectNode doc = (ObjectNode) body.deepCopy();
        doc.remove("id");
        doc.remove("system");
        return doc;
    }

    private static AddonRecord record(AddonKind kind, String id, String owner, ObjectNode doc, long version,
            Instant created, Instant updated) {
        List<String> tags = new ArrayList<>();
        doc.path(kind.field("tags")).forEach(t -> tags.add(t.asString()));
        return new AddonRecord(id, kind.wire(), doc.get(kind.field("name")).asString(), owner,
                doc.hasNonNull("cluster_id") ? doc.get("cluster_id").asString() : null,
                doc.get(kind.field("public_url")).asString(), tags, doc, version, created, updated,
                AddonRecord.Health.UNKNOWN);
    }
}
