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
import network.aios.member.desired.AddonDeployment;
import network.aios.server.auth.Principal;
import network.aios.server.domain.DomainException;
import network.aios.store.AddonRecord;
import network.aios.store.AddonStore;
import network.aios.store.ClusterStore;
import network.aios.store.JobStore;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Registration of add-ons (container registries, asset registries, inference servers, policy
 * executors, split runners): validated, optionally bound to a registered cluster, names unique per
 * kind, owners see their own. A deployed add-on is not deleted until its infrastructure is removed.
 */
public final class AddonService {
    private final AddonStore store;
    private final ClusterStore clusters;
    private final JobStore infra;
    private final Clock clock;

    public AddonService(AddonStore store, ClusterStore clusters, JobStore infra, Clock clock) {
        this.store = store;
        this.clusters = clusters;
        this.infra = infra;
        this.clock = clock;
    }

    public AddonRecord create(Principal who, AddonKind kind, JsonNode body) {
        return insert(who, prepare(who, kind, body));
    }

    /**
     * A checked registration, not yet stored: its id is the one a deployed kind chose ({@code executor_id},
     * {@code split_runner_id}) or a new one; a deployed kind without a name is named after its id.
     */
    public AddonRecord prepare(Principal who, AddonKind kind, JsonNode body) {
        ObjectNode doc = checked(who, kind, body);
        Instant now = clock.instant();
        JsonNode chosen = doc.get(kind.field("id"));
        String id = kind.deployable() && chosen != null && chosen.isString()
                ? chosen.asString()
                : kind.wire().replace('_', '-') + "-"
                        + UUID.randomUUID().toString().substring(0, 8);
        return record(kind, id, who.name(), doc, 1, now, now);
    }

    /** Stores a prepared registration: 409 if its id or its name is taken. */
    public AddonRecord insert(Principal who, AddonRecord r) {
        if (store.get(r.kind(), r.id()).isPresent()) {
            throw DomainException.conflict(
                    article(r.kind()) + r.kind() + " with id '" + r.id() + "' is already registered");
        }
        return store.insert(r, who.name(), who.quotaOwner())
                .orElseThrow(() -> DomainException.conflict(article(r.kind()) + r.kind() + " named '" + r.name()
                        + "' (or with id '" + r.id() + "') is already registered"));
    }

    public AddonRecord get(Principal who, AddonKind kind, String id) {
        return store.get(kind.wire(), id)
                .filter(a -> who.mayAccess(a.owner()))
                .orElseThrow(() -> DomainException.notFound(kind.wire() + " '" + id + "'"));
    }

    /** The most one page of an add-on listing carries of documents. */
    public static final long PAGE_BYTES = 4L * 1024 * 1024;

    /** A page of the add-ons of a kind {@code who} may see, cut at {@link #PAGE_BYTES} as well as {@code limit}. */
    public network.aios.store.Page<AddonRecord> list(
            Principal who,
            AddonKind kind,
            List<String> tags,
            String cluster,
            String metadataKey,
            String after,
            int limit) {
        return store.page(
                kind.wire(), who.isAdmin() ? null : who.name(), tags, cluster, metadataKey, after, limit, PAGE_BYTES);
    }

    public AddonRecord replace(Principal who, AddonKind kind, String id, JsonNode body, Long ifMatch) {
        AddonRecord current = get(who, kind, id);
        long expected = ifMatch == null ? current.version() : ifMatch;
        if (expected != current.version()) {
            throw new DomainException(
                    DomainException.Kind.PRECONDITION_FAILED,
                    "precondition_failed",
                    kind.wire() + " '" + id + "' is at version " + current.version() + ", not the version in If-Match",
                    List.of(),
                    null);
        }
        ObjectNode doc = checked(who, kind, body);
        JsonNode chosen = doc.get(kind.field("id"));
        if (chosen != null && chosen.isString() && !chosen.asString().equals(id)) {
            throw DomainException.invalid(
                    List.of(new FieldError("/" + kind.field("id"), "is '" + id + "' and cannot change")));
        }
        Instant now = clock.instant();
        AddonRecord next = record(kind, id, current.owner(), doc, expected + 1, current.createdAt(), now);
        switch (store.replace(next, expected, who.name(), now)) {
            case NAME_TAKEN ->
                throw DomainException.conflict(
                        article(kind.wire()) + kind.wire() + " named '" + next.name() + "' is already registered");
            case STALE ->
                throw DomainException.conflict(
                        kind.wire() + " '" + id + "' was changed concurrently; read it again and retry");
            case OK -> {}
        }
        return get(who, kind, id);
    }

    /** Whether the add-on has infrastructure deployed, or a job under way (the caller must be able to see it). */
    public boolean hasInfra(Principal who, AddonKind kind, String id) {
        AddonRecord a = get(who, kind, id);
        return infra.deployed(a);
    }

    public void delete(Principal who, AddonKind kind, String id) {
        AddonRecord a = get(who, kind, id);
        if (infra.deployed(a)) {
            throw deployed(kind, id, a.infraStatus() == null ? "job under way" : a.infraStatus());
        }
        switch (store.deleteIfNoInfra(kind.wire(), id, who.name(), clock.instant())) {
            case DELETED -> {}
            case HAS_INFRA -> throw deployed(kind, id, "a deployment was queued meanwhile");
            case STALE -> throw DomainException.notFound(kind.wire() + " '" + id + "'");
        }
    }

    private static DomainException deployed(AddonKind kind, String id, String state) {
        return new DomainException(
                        DomainException.Kind.CONFLICT,
                        "has_infrastructure",
                        kind.wire() + " '" + id + "' is deployed on a cluster (" + state + "); remove that first",
                        List.of(),
                        "DELETE " + kind.path() + "/" + id + "/remove-infra, or DELETE " + kind.path() + "/" + id
                                + "?cascade=true to remove it and then the registration")
                .withNext("DELETE", kind.path() + "/" + id + "?cascade=true");
    }

    /** The stored registration as answered: the body's fields, plus id and what the server keeps. */
    public static ObjectNode view(AddonRecord a) {
        ObjectNode out = Json.object().put("id", a.id());
        a.document().properties().forEach(e -> out.set(e.getKey(), e.getValue()));
        ObjectNode system = out.putObject("system");
        system.put("kind", a.kind())
                .put("owner", a.owner())
                .put("version", a.version())
                .put("createdAt", a.createdAt().toString())
                .put("updatedAt", a.updatedAt().toString());
        ObjectNode health = system.putObject("health").put("status", a.health().status());
        health.put("message", a.health().message());
        health.put(
                "checkedAt",
                a.health().checkedAt() == null ? null : a.health().checkedAt().toString());
        health.put(
                "lastSeenAt",
                a.health().lastSeenAt() == null ? null : a.health().lastSeenAt().toString());
        AddonKind.fromWire(a.kind()).filter(AddonKind::deployable).ifPresent(kind -> {
            AddonDeployment d = AddonDeployment.forRegistration(kind, a.id(), a.document());
            ObjectNode infra = system.putObject("infra")
                    .put("status", a.infraStatus() == null ? "none" : a.infraStatus())
                    .put("namespace", d.namespace())
                    .put("nodePort", d.nodePort())
                    .put("internalUrl", d.internalUrl());
            infra.put("gatewayPath", d.gatewayPrefix());
            out.put("publicUrl", a.publicUrl());
        });
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
            throw DomainException.invalid(errors);
        }
        ObjectNode doc = (ObjectNode) body.deepCopy();
        doc.remove("id");
        doc.remove("system");
        return doc;
    }

    private static AddonRecord record(
            AddonKind kind, String id, String owner, ObjectNode doc, long version, Instant created, Instant updated) {
        List<String> tags = new ArrayList<>();
        doc.path(kind.field("tags")).forEach(t -> tags.add(t.asString()));
        return new AddonRecord(
                id,
                kind.wire(),
                doc.hasNonNull(kind.field("name")) ? doc.get(kind.field("name")).asString() : id,
                owner,
                doc.hasNonNull("cluster_id") ? doc.get("cluster_id").asString() : null,
                doc.hasNonNull(kind.field("public_url"))
                        ? doc.get(kind.field("public_url")).asString()
                        : null,
                tags,
                doc,
                version,
                created,
                updated,
                AddonRecord.Health.UNKNOWN,
                null);
    }

    /** "an " before a vowel, else "a " ("an executor", "a split_runner"). */
    private static String article(String word) {
        return !word.isEmpty() && "aeiou".indexOf(word.charAt(0)) >= 0 ? "an " : "a ";
    }
}
