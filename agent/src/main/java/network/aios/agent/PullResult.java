package network.aios.agent;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * One line of a report's {@code results} ({@code docs/PULL.md}): the object, as the API server answered for
 * it (uid, resourceVersion, generation; null when there was no answer), and what was done to it. Every field
 * is written, nulls included (the API's mapper includes nulls), as the contract shows them.
 */
record PullResult(
        String apiVersion,
        String kind,
        String namespace,
        String name,
        String uid,
        String resourceVersion,
        Long generation,
        String outcome,
        String error) {

    /** {@code object} (as the API server answered) with {@code outcome}. */
    static PullResult of(HasMetadata object, PullOutcome outcome) {
        return new PullResult(
                object.getApiVersion(),
                object.getKind(),
                object.getMetadata().getNamespace(),
                object.getMetadata().getName(),
                object.getMetadata().getUid(),
                object.getMetadata().getResourceVersion(),
                object.getMetadata().getGeneration(),
                outcome.wire(),
                null);
    }

    /** An object that could not be applied or deleted: named as the desired set named it, with the error. */
    static PullResult failed(String apiVersion, String kind, String namespace, String name, String error) {
        return new PullResult(apiVersion, kind, namespace, name, null, null, null, PullOutcome.FAILED.wire(), error);
    }
}
