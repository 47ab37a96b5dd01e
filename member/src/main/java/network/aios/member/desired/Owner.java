package network.aios.member.desired;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import network.aios.api.AddonKind;

/**
 * The registration an object on a member cluster belongs to: a cluster's own services or one add-on, by id
 * and incarnation (the id deleted and registered again is another registration). It is written twice:
 * <ul>
 *   <li>as a <b>stamp</b> on every object that one registration alone owns (annotation {@value #ANNOTATION},
 *       e.g. {@code cluster/cluster-a@m1x2...}): a removal deletes an object only while it carries its own
 *       stamp (or, made before stamps, is the very object its inventory recorded);</li>
 *   <li>as a <b>claim</b> on each namespace it lives in (annotation {@code <kind>.claims.aios.network/<id>}
 *       with the incarnation as value, one per registration): several add-ons share a namespace, and the
 *       namespace goes only with the last claim, deleted on the condition that nobody claimed it meanwhile.</li>
 * </ul>
 * Neither is a credential: the member cluster's admin can write both. They keep the control plane from
 * deleting, by its own mistake or an owner's, what another registration made.
 */
public record Owner(String kind, String id, String incarnation) {
    public static final String ANNOTATION = "aios.network/owner";
    private static final String CLAIM_DOMAIN = "claims.aios.network";
    private static final String CLUSTER = "cluster";

    public static Owner cluster(String clusterId, String incarnation) {
        return new Owner(CLUSTER, clusterId, incarnation);
    }

    public static Owner addon(AddonKind kind, String id, String incarnation) {
        return new Owner(kind.wire(), id, incarnation);
    }

    /** The stamp's value: {@code <kind>/<id>@<incarnation>}. */
    public String stamp() {
        return kind + "/" + id + "@" + incarnation;
    }

    /** This registration's claim on a namespace: the annotation's key (its value is the incarnation). */
    public String claimKey() {
        return kind.replace('_', '-') + "." + CLAIM_DOMAIN + "/" + id;
    }

    /** For messages: "cluster cluster-a", "executor executor-001". */
    @Override
    public String toString() {
        return kind.replace('_', ' ') + " " + id;
    }

    /** Puts this registration's stamp on freshly built objects (they are changed, and returned). */
    public <T extends HasMetadata> List<T> stampAll(List<T> objects) {
        for (T o : objects) {
            Map<String, String> a = o.getMetadata().getAnnotations() == null
                    ? new LinkedHashMap<>()
                    : new LinkedHashMap<>(o.getMetadata().getAnnotations());
            a.put(ANNOTATION, stamp());
            o.getMetadata().setAnnotations(a);
        }
        return objects;
    }

    /** The stamp an object carries, if any. */
    public static Optional<String> stampOf(HasMetadata o) {
        Map<String, String> a = o.getMetadata().getAnnotations();
        return Optional.ofNullable(a == null ? null : a.get(ANNOTATION));
    }

    /**
     * Whether {@code o} is this registration's: it carries this stamp, or, made before stamps (no stamp at
     * all), it is labelled with this registration's id and, where a uid was recorded, is that very object.
     */
    public boolean owns(HasMetadata o, String recordedUid) {
        Optional<String> stamp = stampOf(o);
        if (stamp.isPresent()) {
            return stamp.get().equals(stamp());
        }
        return labelledWithId(o)
                && (recordedUid == null || recordedUid.equals(o.getMetadata().getUid()));
    }

    /** Whose a stamp says an object is, as words ("cluster c1", "executor e1"), whatever its shape. */
    public static String whoseStamp(String stamp) {
        int at = stamp.indexOf('@');
        return (at < 0 ? stamp : stamp.substring(0, at)).replace('/', ' ').replace('_', ' ');
    }

    /**
     * The registration a claim names ({@code <kind>.claims.aios.network/<id>} with its incarnation), or empty
     * for a key of another shape.
     */
    public static Optional<Owner> ofClaim(String claimKey, String incarnation) {
        int dot = claimKey.indexOf('.');
        int slash = claimKey.indexOf('/');
        if (dot <= 0 || slash <= dot || incarnation == null) {
            return Optional.empty();
        }
        String kind = claimKey.substring(0, dot);
        String id = claimKey.substring(slash + 1);
        if (kind.equals(CLUSTER)) {
            return Optional.of(cluster(id, incarnation));
        }
        return AddonKind.fromWire(kind.replace('-', '_')).map(k -> addon(k, id, incarnation));
    }

    private boolean labelledWithId(HasMetadata o) {
        Map<String, String> l = o.getMetadata().getLabels();
        return l != null
                && id.equals(l.get(CLUSTER.equals(kind) ? InfraNames.CLUSTER_LABEL : AddonDeployment.ADDON_LABEL));
    }

    /** Every registration that claims a namespace, by claim key (their incarnation as value), sorted. */
    public static Map<String, String> claims(NamespaceState ns) {
        Map<String, String> out = new TreeMap<>();
        ns.annotations().forEach((k, v) -> {
            int slash = k.indexOf('/');
            if (slash > 0 && k.substring(0, slash).endsWith("." + CLAIM_DOMAIN)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Who claims a namespace, as words ("executor executor-001"), sorted. */
    public static List<String> claimants(NamespaceState ns) {
        return claims(ns).keySet().stream().map(Owner::describeClaim).toList();
    }

    /** A claim key as words: {@code executor.claims.aios.network/executor-001} is "executor executor-001". */
    public static String describeClaim(String claimKey) {
        int slash = claimKey.indexOf('/');
        String kind = claimKey.substring(0, claimKey.indexOf('.'));
        return kind.replace('-', ' ') + " " + claimKey.substring(slash + 1);
    }

    /**
     * Whether the namespace is this registration's to live in: its claim is on it, or, made before claims
     * (no claim at all), it is labelled with this registration's id.
     */
    public boolean holds(NamespaceState ns) {
        Map<String, String> claims = claims(ns);
        if (!claims.isEmpty()) {
            return incarnation.equals(claims.get(claimKey()));
        }
        Map<String, String> l = ns.labels();
        return id.equals(l.get(CLUSTER.equals(kind) ? InfraNames.CLUSTER_LABEL : AddonDeployment.ADDON_LABEL));
    }

    /**
     * Who else a namespace is home to: the other registrations' claims on it that are {@code live} (the
     * registry says that registration, that incarnation, has infrastructure: a claim its removal could not take
     * back does not count once it is done), and every Deployment in it that is not this registration's and
     * not being deleted (another's, or anyone's the control plane did not make). Empty: the namespace is this
     * registration's alone. (Deployments are what is counted of the content: a StatefulSet or bare Pods of
     * someone else's are not seen.)
     */
    public List<String> others(
            NamespaceState ns, List<HasMetadata> deployments, java.util.function.Predicate<Owner> live) {
        List<String> out = new java.util.ArrayList<>();
        claims(ns).forEach((k, v) -> {
            if (!k.equals(claimKey()) && ofClaim(k, v).filter(live).isPresent()) {
                out.add(describeClaim(k));
            }
        });
        for (HasMetadata d : deployments) {
            if (d.getMetadata().getDeletionTimestamp() != null || owns(d, null)) {
                continue;
            }
            // a claimant's own Deployment is said with its claim; anything else by name
            Optional<String> whose = stampOf(d).map(Owner::whoseStamp);
            if (whose.isEmpty() || !out.contains(whose.get())) {
                out.add("Deployment " + d.getMetadata().getName()
                        + whose.map(w -> " (" + w + ")").orElse(""));
            }
        }
        return out;
    }

    /** A namespace as a removal or a bootstrap decides on it. */
    public record NamespaceState(
            String name,
            String uid,
            String resourceVersion,
            boolean terminating,
            Map<String, String> labels,
            Map<String, String> annotations) {
        public NamespaceState {
            labels = labels == null ? Map.of() : Map.copyOf(labels);
            annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        }

        public static NamespaceState of(HasMetadata ns) {
            return new NamespaceState(
                    ns.getMetadata().getName(),
                    ns.getMetadata().getUid(),
                    ns.getMetadata().getResourceVersion(),
                    ns.getMetadata().getDeletionTimestamp() != null,
                    ns.getMetadata().getLabels(),
                    ns.getMetadata().getAnnotations());
        }
    }
}
