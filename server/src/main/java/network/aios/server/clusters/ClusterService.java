package network.aios.server.clusters;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import network.aios.api.AddonKind;
import network.aios.api.ClusterStatus;
import network.aios.api.ClusterValidator;
import network.aios.api.DocumentParser;
import network.aios.api.FieldError;
import network.aios.api.MalformedDocumentException;
import network.aios.api.MergePatch;
import network.aios.policy.PolicyAction;
import network.aios.server.auth.Principal;
import network.aios.server.domain.DomainException;
import network.aios.server.policy.PolicyService;
import network.aios.store.AddonRecord;
import network.aios.store.AddonStore;
import network.aios.store.ClusterQuery;
import network.aios.store.ClusterRecord;
import network.aios.store.ClusterStore;
import network.aios.store.JobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Registration and upkeep of cluster documents: parse → validate → network policy → one transaction.
 * Nothing here touches Kubernetes.
 */
public final class ClusterService {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterService.class);

    private final ClusterStore store;
    private final PolicyService policies;
    private final ClusterValidator validator = new ClusterValidator();
    private final Clock clock;

    private final JobStore infra;
    private final AddonStore addons;

    private final network.aios.store.QuotaStore quotas;

    public ClusterService(
            ClusterStore store,
            PolicyService policies,
            Clock clock,
            JobStore infra,
            AddonStore addons,
            network.aios.store.QuotaStore quotas) {
        this.quotas = quotas;
        this.infra = infra;
        this.addons = addons;
        this.store = store;
        this.policies = policies;
        this.clock = clock;
    }

    /** A stored (or, on a dry run, would-be) cluster. */
    public record Outcome(ClusterRecord record, boolean dryRun) {}

    public Outcome create(Principal who, byte[] body, boolean dryRun) {
        DocumentParser.Parsed parsed = parse(body);
        ObjectNode doc = validate(parsed.document(), parsed.pointerPrefix());
        PolicyService.Admission admission = policies.check(PolicyAction.ADD_CLUSTER, doc, null);
        PolicyService.enforce(PolicyAction.ADD_CLUSTER, admission);
        String id = doc.get("id").asString();
        Instant now = clock.instant();
        ClusterRecord record = new ClusterRecord(
                id,
                who.name(),
                ClusterStatus.REGISTERED.wire(),
                ClusterView.requestedStatus(doc),
                ClusterView.stored(doc),
                1,
                now,
                now,
                PolicyAction.ADD_CLUSTER.wire(),
                admission.version(),
                network.aios.store.ObservationStore.PRIOR_REPUTATION); // 50: no history yet, neither end
        if (dryRun) {
            if (store.get(id).isPresent()) {
                throw duplicate(id);
            }
            quotas.check(who.quotaOwner(), "clusters"); // what the write would answer
            return new Outcome(record, true);
        }
        ClusterRecord stored =
                store.insert(record, who.name(), who.quotaOwner()).orElseThrow(() -> duplicate(id));
        LOG.info(
                "cluster {} registered by {} ({})",
                id,
                who.name(),
                admission.version() == null
                        ? "no add_cluster policy set"
                        : "add_cluster policy v" + admission.version());
        return new Outcome(stored, false);
    }

    public ClusterRecord get(Principal who, String id) {
        return store.get(id)
                .filter(r -> who.mayAccess(r.owner()))
                .orElseThrow(() -> DomainException.notFound("cluster '" + id + "'"));
    }

    /** Whether {@code id} is registered (to anyone). */
    public boolean exists(String id) {
        return store.get(id).isPresent();
    }

    /** The most one page of a cluster listing carries of documents. */
    public static final long PAGE_BYTES = 4L * 1024 * 1024;

    /** A page of the clusters {@code who} may see; see {@link ClusterStore#page}. */
    public network.aios.store.Page<ClusterRecord> list(Principal who, ClusterQuery q) {
        ClusterQuery scoped = who.isAdmin()
                ? q
                : new ClusterQuery(
                        who.name(),
                        q.region(),
                        q.status(),
                        q.tags(),
                        q.gpuModel(),
                        q.minGpus(),
                        q.minVcpus(),
                        q.minMemoryMb(),
                        q.after(),
                        q.limit());
        return store.page(scoped, PAGE_BYTES);
    }

    /** Replaces the document; {@code ifMatch} must be the current version. */
    public ClusterRecord replace(Principal who, String id, byte[] body, Long ifMatch) {
        ClusterRecord current = get(who, id); // first: another owner's cluster is a 404, whatever else is wrong
        if (ifMatch == null) {
            throw new DomainException(
                    DomainException.Kind.PRECONDITION_REQUIRED,
                    "precondition_required",
                    "updates need If-Match with the cluster's current "
                            + "version (its ETag, or system.version from GET)",
                    null,
                    null);
        }
        DocumentParser.Parsed parsed = parse(body);
        return update(who, current, parsed.document(), parsed.pointerPrefix(), ifMatch);
    }

    /** Applies a JSON merge patch (RFC 7396) to the current document; If-Match optional. */
    public ClusterRecord patch(Principal who, String id, byte[] body, Long ifMatch) {
        ClusterRecord current = get(who, id);
        JsonNode patch = parse(body).document();
        if (!patch.isObject()) {
            throw DomainException.invalid(List.of(new FieldError("", "a merge patch must be a JSON object")));
        }
        ObjectNode base = current.document().deepCopy();
        if (current.requestedStatus() != null) {
            base.put("status", current.requestedStatus());
        }
        JsonNode merged = MergePatch.apply(base, patch);
        return update(who, current, merged, "", ifMatch == null ? current.version() : ifMatch);
    }

    private ClusterRecord update(Principal who, ClusterRecord current, JsonNode input, String prefix, long expected) {
        if (expected != current.version()) {
            throw stale(current);
        }
        if (input.isObject() && !input.has("id")) {
            ((ObjectNode) input).put("id", current.id());
        }
        // server-owned fields: echoed back unchanged is fine, left out keeps them, changed is a 422
        List<FieldError> ownedChanged = input.isObject()
                ? ClusterView.keepServerOwned((ObjectNode) input, ClusterView.of(current), prefix)
                : List.of();
        ObjectNode doc = validate(input, prefix);
        if (!doc.get("id").asString().equals(current.id())) {
            throw DomainException.invalid(List.of(new FieldError(
                    prefix + "/id", "must be '" + current.id() + "', the cluster being updated: ids cannot change")));
        }
        if (!ownedChanged.isEmpty()) {
            throw DomainException.invalid(ownedChanged);
        }
        ObjectNode old = ClusterView.of(current);
        PolicyService.Admission admission = policies.check(PolicyAction.UPDATE_CLUSTER, doc, old);
        PolicyService.enforce(PolicyAction.UPDATE_CLUSTER, admission);
        ClusterRecord next = new ClusterRecord(
                current.id(),
                current.owner(),
                current.status(),
                ClusterView.requestedStatus(doc),
                ClusterView.stored(doc), // config.urlMap: the store keeps the row's own
                expected,
                current.createdAt(),
                clock.instant(),
                PolicyAction.UPDATE_CLUSTER.wire(),
                admission.version(),
                current.reputation());
        ClusterRecord updated = store.update(next, expected, who.name()).orElseThrow(() -> lostRace(who, current.id()));
        documentListener.accept(current.id());
        return updated;
    }

    private volatile java.util.function.Consumer<String> documentListener = id -> {};

    /** Told the id of every cluster whose document this replica changed or deleted (the health view re-reads it). */
    public void onDocumentChange(java.util.function.Consumer<String> listener) {
        this.documentListener = listener;
    }

    /** Tells the listener that another service of this replica changed {@code id}'s document (a node joined). */
    public void documentChanged(String id) {
        documentListener.accept(id);
    }

    /**
     * Access, version, the {@code remove_cluster} policy, and for a cascade that no add-on bound to it
     * is deployed (those are removed on their own first), without deleting anything.
     */
    public ClusterRecord checkRemovable(Principal who, String id, Long ifMatch) {
        ClusterRecord current = atVersion(who, id, ifMatch);
        List<AddonRecord> deployed =
                addons.onCluster(id).stream().filter(infra::deployed).toList();
        if (!deployed.isEmpty()) {
            AddonRecord first = deployed.get(0);
            throw new DomainException(
                            DomainException.Kind.CONFLICT,
                            "conflict",
                            "cluster '" + id + "' has deployed add-ons bound to it: "
                                    + String.join(
                                            ", ",
                                            deployed.stream()
                                                    .map(a -> a.kind() + " " + a.id())
                                                    .toList())
                                    + "; remove their infrastructure first",
                            List.of(),
                            "DELETE /<kind>/<id>?cascade=true removes an add-on's infrastructure, then the add-on")
                    .withNext(
                            "DELETE",
                            AddonKind.fromWire(first.kind()).orElseThrow().path() + "/" + first.id() + "?cascade=true");
        }
        enforceRemovePolicy(current);
        return current;
    }

    private static DomainException hasInfrastructure(String id) {
        return new DomainException(
                        DomainException.Kind.CONFLICT,
                        "conflict",
                        "cluster '" + id + "' has AIOS infrastructure (or a job changing it); remove it first, "
                                + "or delete with cascade to remove it and then the cluster",
                        List.of(),
                        "POST /remove-cluster-infra {\"cluster_id\": \"" + id + "\"}, or DELETE /api/v1/clusters/" + id
                                + "?cascade=true")
                .withNext("DELETE", "/api/v1/clusters/" + id + "/infra");
    }

    private ClusterRecord atVersion(Principal who, String id, Long ifMatch) {
        ClusterRecord current = get(who, id);
        if (ifMatch != null && ifMatch != current.version()) {
            throw stale(current);
        }
        return current;
    }

    private void enforceRemovePolicy(ClusterRecord current) {
        PolicyService.enforce(
                PolicyAction.REMOVE_CLUSTER,
                policies.check(PolicyAction.REMOVE_CLUSTER, ClusterView.of(current), null));
    }

    public void delete(Principal who, String id, Long ifMatch) {
        delete(who, id, ifMatch, false);
    }

    /** The add-on registrations bound to a cluster (a cascade deletes them with it), as "kind id". */
    public List<String> boundAddons(Principal who, String id) {
        get(who, id);
        return addons.onCluster(id).stream().map(a -> a.kind() + " " + a.id()).toList();
    }

    /** Deletes a cluster; with {@code cascade}, the add-on registrations bound to it go too. */
    public void delete(Principal who, String id, Long ifMatch, boolean cascade) {
        ClusterRecord current = cascade ? checkRemovable(who, id, ifMatch) : atVersion(who, id, ifMatch);
        long bound = addons.countOnCluster(id);
        if (bound > 0 && !cascade) {
            throw DomainException.conflict(
                            "cluster '" + id + "' has " + bound + " add-on(s) registered on it; delete "
                                    + "them first (they name it in cluster_id), or delete with ?cascade=true to delete them too")
                    .withNext("DELETE", "/api/v1/clusters/" + id + "?cascade=true");
        }
        if (infra.hasInfra(id)) {
            throw hasInfrastructure(id);
        }
        if (!cascade) {
            enforceRemovePolicy(current);
        }
        switch (store.deleteIfNoInfra(id, current.version(), cascade, who.name(), clock.instant())) {
            case DELETED -> {}
            case HAS_INFRA -> throw hasInfrastructure(id); // a job was queued since the check above
            case STALE -> throw lostRace(who, id);
        }
        documentListener.accept(id); // a cluster registered again under this id starts from its new document
        LOG.info("cluster {} deleted by {}", id, who.name());
    }

    private DomainException lostRace(Principal who, String id) {
        Optional<ClusterRecord> now = store.get(id).filter(r -> who.mayAccess(r.owner()));
        return now.map(r -> DomainException.conflict("cluster '" + id + "' was changed concurrently (now version "
                        + r.version() + "); read it again and retry"))
                .orElseGet(() -> DomainException.notFound("cluster '" + id + "'"));
    }

    private static DomainException stale(ClusterRecord current) {
        return new DomainException(
                DomainException.Kind.PRECONDITION_FAILED,
                "precondition_failed",
                "cluster '" + current.id() + "' is at version " + current.version()
                        + ", not the version in If-Match; read it again and retry",
                null,
                null);
    }

    private static DomainException duplicate(String id) {
        return DomainException.conflict("a cluster with id '" + id + "' is already registered");
    }

    private ObjectNode validate(JsonNode document, String prefix) {
        ClusterValidator.Result result = validator.validate(document);
        if (!result.valid()) {
            throw DomainException.invalid(ClusterView.prefixed(result.errors(), prefix));
        }
        return result.document();
    }

    static DocumentParser.Parsed parse(byte[] body) {
        try {
            return DocumentParser.parse(body);
        } catch (MalformedDocumentException e) {
            throw malformed(e);
        }
    }

    public static DomainException malformed(MalformedDocumentException e) {
        return new DomainException(
                DomainException.Kind.BAD_REQUEST,
                "malformed_json",
                "the body is not valid JSON: " + e.getMessage() + " (line " + e.line() + ", column " + e.column() + ")",
                List.of(),
                e.hint());
    }
}
