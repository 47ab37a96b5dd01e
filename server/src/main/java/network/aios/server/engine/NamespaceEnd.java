package network.aios.server.engine;

import java.time.Duration;
import java.util.Optional;
import network.aios.member.ClusterOps;
import network.aios.store.InfraJob;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * How the end of a namespace a removal deleted is judged, and what its receipt says of it: gone (looked for by
 * uid), still going, still going past the wait, or not to be seen (no credential left, or the access refused
 * before it was seen gone). Only the expected case, the control plane's own token going with the namespace it
 * lived in and nothing in it refused, is clean without being seen, and the receipt says it was not.
 */
final class NamespaceEnd {
    /** What the removal does next. */
    enum Verdict {
        /** it is gone: the removal is clean */
        GONE,
        /** still terminating, within the wait: look again */
        GOING,
        /** clean, though not seen gone (the receipt says so) */
        UNSEEN,
        /** not clean: residual or unconfirmed (the receipt says which) */
        LEFT
    }

    private NamespaceEnd() {}

    /** Judges it with {@code ops} (closed here), writing the namespace's item of {@code receipt}. */
    static Verdict judge(
            Optional<ClusterOps> ops,
            InfraJob job,
            ObjectNode receipt,
            String namespace,
            Duration waited,
            Duration timeout) {
        ObjectNode item = namespaceItem(receipt, namespace);
        if (ops.isEmpty()) {
            item.put("outcome", "unconfirmed")
                    .put(
                            "reason",
                            "its deletion was accepted but no credential is left to see it finish: check with "
                                    + "kubectl get namespace " + namespace);
            return Verdict.LEFT;
        }
        Gone g;
        try (ClusterOps o = ops.get()) {
            g = gone(o, namespace, job.receipt().path("namespaceUid").asString(null));
        }
        switch (g) {
            case YES -> {
                return Verdict.GONE;
            }
            case NO -> {
                if (waited.compareTo(timeout) <= 0) {
                    return Verdict.GOING;
                }
                item.put("outcome", "residual").put("reason", "still terminating after " + timeout.toSeconds() + " s");
                return Verdict.LEFT;
            }
            default -> {
                if (job.adminSealed() == null
                        && !receipt.path("refusedInNamespace").asBoolean(false)) {
                    // what a removal with the control plane's own credential meets: its token lived there
                    item.put("confirmed", false)
                            .put(
                                    "reason",
                                    "the control plane's access went with it (its token lived there) before it "
                                            + "was seen gone; pass kube_config_data to a removal to watch it");
                    return Verdict.UNSEEN;
                }
                // the owner's own access refused, or something in it the cluster refused to delete (a webhook that
                // refused it may hold the namespace too): its end is not known
                item.put("outcome", "unconfirmed")
                        .put(
                                "reason",
                                "its deletion was accepted but the cluster no longer lets this removal look at it: "
                                        + "check with kubectl get namespace " + namespace);
                return Verdict.LEFT;
            }
        }
    }

    /** What a look at a namespace being deleted found. */
    private enum Gone {
        YES,
        NO,
        /** the look was refused: the control plane's access (its token lived there) went with the namespace */
        ACCESS_LOST
    }

    /**
     * Whether the namespace this removal deleted is gone: by uid, so one made again meanwhile (another
     * registration's create) does not keep the removal waiting.
     */
    private static Gone gone(ClusterOps ops, String namespace, String deletedUid) {
        try {
            boolean gone = deletedUid == null
                    ? ops.namespaceGone(namespace)
                    : ops.namespace(namespace)
                            .filter(n -> deletedUid.equals(n.uid()))
                            .isEmpty();
            return gone ? Gone.YES : Gone.NO;
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            network.aios.member.KubeFailure f = network.aios.member.KubeFailure.of(e);
            if (f == network.aios.member.KubeFailure.UNAUTHORIZED || f == network.aios.member.KubeFailure.FORBIDDEN) {
                return Gone.ACCESS_LOST;
            }
            throw e;
        }
    }

    /** The receipt's item for the namespace (the removal step wrote it), to say how its deletion ended. */
    private static ObjectNode namespaceItem(ObjectNode receipt, String namespace) {
        ArrayNode items = receipt.get("items") instanceof ArrayNode a ? a : receipt.putArray("items");
        for (var i : items) {
            if (("Namespace " + namespace).equals(i.path("object").asString())) {
                return (ObjectNode) i;
            }
        }
        return items.addObject().put("object", "Namespace " + namespace).put("outcome", "deleted");
    }
}
