package network.aios.server.engine;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import network.aios.member.desired.Owner;
import tools.jackson.databind.node.ObjectNode;

/**
 * What an infra job deploys onto a member cluster: a cluster's four AIOS services, or one add-on
 * (policy executor, split runner). The job machinery (bootstrap of a least-privilege identity,
 * recorded apply, readiness, removal with a receipt) is the same; this says what, where, and what
 * the registry records when it is done.
 */
interface Target extends TargetView {
    /** The incarnation of a target whose registration is gone: no stamp carries it. */
    String UNREGISTERED = "unregistered";

    /** The job key: a cluster id, or {@code <kind>/<id>} for an add-on. */
    String key();

    /** False once the registration is gone: a create job then stops. */
    boolean registered();

    /** Whether the registry says it has infrastructure (being made, ready, failed or being removed). */
    boolean hasInfrastructure();

    /** The namespace everything lives in; deleting it takes the control plane's access last. */
    String namespace();

    /**
     * The registration it is: what it stamps on its own objects and claims its namespace with ({@link Owner}).
     * Once the registration is gone, an incarnation no stamp carries: such a target owns nothing stamped.
     */
    Owner owner();

    /**
     * Whether its namespace is shared with other registrations (the add-ons of one kind on a cluster), or its
     * own alone (a cluster's services: a second registration's bootstrap there is refused).
     */
    boolean sharedNamespace();

    HasMetadata namespaceObject();

    List<HasMetadata> bootstrap(String namespaceUid);

    /** Whether external nodes join through it (a cluster's services: its join tokens are applied with them). */
    default boolean takesNodes() {
        return false;
    }

    /** Whether the agents on the cluster get a token to call the control plane (cluster services only). */
    boolean needsAgentToken();

    List<HasMetadata> services(Credential credential);

    /** The identity the agents' serving certificate names (when {@link #needsAgentToken()}). */
    default String agentIdentity() {
        throw new UnsupportedOperationException("no agents of ours serve for " + key());
    }

    /**
     * The dynamic gateway routes registered for it (a cluster's Mappings under {@code /tasks/}, {@code /block/},
     * ...): applied and pruned with the services, so a deleted route Mapping comes back and a forgotten one
     * goes. Read afresh on each call.
     */
    default List<HasMetadata> routes() {
        return List.of();
    }

    /** Whether it can have gateway routes at all (a cluster can; an add-on cannot). */
    default boolean hasRoutes() {
        return false;
    }

    /** The Deployments whose availability means "ready". */
    List<String> deployments();

    /**
     * A digest of everything that would be applied now (bootstrap and services, credentials left out):
     * creating again re-applies when it differs from what was last made ready (an upgrade, a renewed
     * certificate, changed RBAC).
     */
    String fingerprint();

    /** What "ready" means in a sentence, for the job's message. */
    String readyMessage();

    void provisioning(String actor);

    void ready(Credential credential);

    void failed();

    void deprovisioning(String actor);

    /**
     * The infrastructure is gone (or gone but for residuals when not {@code clean}); {@code deleteRegistration}
     * if the removal was asked for as part of deleting it. Adds what it did to the receipt.
     */
    void removed(boolean clean, boolean deleteRegistration, String requestedBy, ObjectNode receipt);
}
