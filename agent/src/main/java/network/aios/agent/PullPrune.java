package network.aios.agent;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The prune rule of a desired set ({@code docs/PULL.md}): which objects on the cluster are this registration's
 * and no longer wanted. A pure function of what was listed, so that the rule that decides what gets deleted is
 * tested on its own: an object is selected only when it is of a listed kind, in the rule's namespace, carries
 * every selector label, carries the registration's stamp (annotation {@value #STAMP_ANNOTATION}, equal to
 * {@code stamp}) and no wave names it. An object without that stamp is never selected, whoever labelled it.
 */
record PullPrune(String namespace, Map<String, String> selector, String stamp, List<Kind> kinds) {
    static final String STAMP_ANNOTATION = "aios.network/owner";

    PullPrune {
        selector = selector == null ? Map.of() : Map.copyOf(selector);
        kinds = kinds == null ? List.of() : List.copyOf(kinds);
    }

    /** A kind the rule lists. */
    record Kind(String apiVersion, String kind) {}

    /**
     * An object a wave names. A null namespace (the wave left it out) stands for every namespace: when in
     * doubt whether a wave names an object, it is kept.
     */
    record Named(String kind, String namespace, String name) {
        boolean names(String kind, String namespace, String name) {
            return this.kind.equals(kind)
                    && this.name.equals(name)
                    && (this.namespace == null || this.namespace.equals(namespace));
        }
    }

    /**
     * Of {@code listed} (objects of {@code kind}, as listed from the cluster), those to delete, given what the
     * waves name. A blank stamp selects nothing (an unstamped object must never match a missing stamp), and
     * an object already being deleted is left to finish.
     */
    <T extends HasMetadata> List<T> select(Kind kind, Collection<Named> named, List<T> listed) {
        if (stamp == null || stamp.isBlank() || !kinds.contains(kind)) {
            return List.of();
        }
        return listed.stream()
                .filter(o -> o.getMetadata() != null
                        && o.getMetadata().getDeletionTimestamp() == null
                        && Objects.equals(namespace, o.getMetadata().getNamespace())
                        && hasLabels(o.getMetadata().getLabels())
                        && stamp.equals(annotation(o.getMetadata().getAnnotations()))
                        && named.stream()
                                .noneMatch(n -> n.names(
                                        kind.kind(),
                                        o.getMetadata().getNamespace(),
                                        o.getMetadata().getName())))
                .toList();
    }

    private boolean hasLabels(Map<String, String> labels) {
        return selector.entrySet().stream()
                .allMatch(e -> labels != null && e.getValue().equals(labels.get(e.getKey())));
    }

    private static String annotation(Map<String, String> annotations) {
        return annotations == null ? null : annotations.get(STAMP_ANNOTATION);
    }
}
