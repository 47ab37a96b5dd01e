package network.aios.member;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.Optional;
import network.aios.member.desired.ObjectRef;
import network.aios.member.desired.Owner;

/**
 * What the control plane does on one member cluster: check access, apply (server-side apply, one
 * field manager), observe, delete. No retries here: the job loop owns the one retry policy, and
 * {@link KubeFailure} the one classification of what went wrong. {@link Fabric8ClusterOps} is the
 * product's; tests of the job machinery use a fake. The read-only preflight checks get no more than
 * the reads of {@link ClusterReads} (the version, access reviews, nodes, Services, a ConfigMap, a CRD, a
 * namespace), which this extends: nobody holding a ClusterOps reaches the client itself.
 */
public interface ClusterOps extends ClusterReads, AutoCloseable {
    /**
     * Server-side apply with the control plane's field manager, taking over conflicting fields; the object's
     * revision is read first, so the answer says what the apply did ({@link Applied#outcome()}).
     */
    Applied apply(HasMetadata desired);

    /**
     * Creates the object if it does not exist, and never changes it if it does ({@link Outcome#NOOP}, with the
     * existing object's uid): for objects made once and deleted later, which the identity may create but not
     * patch (a node's bootstrap token in {@code kube-system}). Its revisions are resource versions, what
     * {@link #delete}'s precondition takes; an object found existing that the identity may not read comes back
     * without uid or revision ({@code revision} null, {@code previous} empty).
     */
    Applied createOnce(HasMetadata desired);

    /** What one apply did to the object. */
    enum Outcome {
        /** It did not exist. */
        CREATED,
        /** It existed and the apply changed it (its revision moved on). */
        PATCHED,
        /** It was already as desired: the revision did not move. */
        NOOP
    }

    /**
     * An applied object, its revision after the apply and the one it had before ({@code previous}, null: it did
     * not exist). A revision is the object's generation where it has one (a Deployment's changes only with its
     * spec, not with the status controllers write), else its resource version; unchanged when the apply changed
     * nothing.
     */
    record Applied(ObjectRef ref, String revision, String previous) {
        public Outcome outcome() {
            return previous == null
                    ? Outcome.CREATED
                    : revision == null || previous.equals(revision) ? Outcome.NOOP : Outcome.PATCHED;
        }

        /** The revision before the apply; empty when the apply created the object. */
        public Optional<String> before() {
            return Optional.ofNullable(previous);
        }
    }

    /** The revision of an object as read: {@code g<generation>} or {@code rv<resourceVersion>}. */
    static String revisionOf(HasMetadata o) {
        Long g = o.getMetadata().getGeneration();
        return g != null && g > 0 ? "g" + g : "rv" + o.getMetadata().getResourceVersion();
    }

    /**
     * The control plane's ServiceAccount token in {@code namespace}, once the token controller filled it in;
     * waits up to {@code wait} for that (by a watch), then empty.
     */
    Optional<String> controlPlaneToken(String namespace, java.time.Duration wait);

    /**
     * The objects of {@code apiVersion}/{@code kind} in {@code namespace} that carry {@code label=value};
     * empty when the cluster does not serve the kind (a custom resource not installed).
     */
    List<ObjectRef> labelled(String apiVersion, String kind, String namespace, String label, String value);

    /**
     * Calls {@code onChange} whenever a Deployment in {@code namespace} changes, its status included (a
     * watch, not a poll); closing what this returns stops it.
     */
    AutoCloseable watchDeployments(String namespace, Runnable onChange);

    /** Deployments not yet available, as "name (available/desired)". Empty when all are ready. */
    List<String> notReady(String namespace, List<String> deployments);

    /** The outcome of deleting one object. */
    enum Deletion {
        DELETED,
        ALREADY_GONE,
        /** Not deleted: it changed since it was read (a precondition on its resource version failed). */
        CONFLICT
    }

    /** The object as it is now; empty when it does not exist (or its kind is not served). */
    Optional<HasMetadata> get(ObjectRef ref);

    /**
     * Deletes the object only if it is still at {@code resourceVersion} (a precondition the API server checks; null:
     * whatever it is now, for an object only ever known by its name):
     * {@link Deletion#CONFLICT} when it changed since it was read, so what another writer did meanwhile is
     * never deleted unseen.
     */
    Deletion delete(ObjectRef ref, String resourceVersion);

    /**
     * Which cluster this is: the uid of its {@code kube-system} namespace (every cluster has one, no two share
     * it), or empty where the identity may not read it.
     */
    Optional<String> clusterUid();

    /**
     * Sets one annotation of a namespace ({@code value} null: removes it) by a JSON merge patch, which touches no
     * other field and no other writer's; the namespace as it is then, or empty when it is gone.
     */
    Optional<Owner.NamespaceState> annotateNamespace(String name, String key, String value);

    /** The Deployments in a namespace (what lives there). */
    List<HasMetadata> deployments(String namespace);

    /** True once the namespace is gone, or our access to see it went with it (its token Secret lived there). */
    boolean namespaceGone(String namespace);

    @Override
    void close();
}
