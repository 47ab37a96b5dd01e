package network.aios.server.engine;

import network.aios.member.desired.Owner;

/**
 * What a request service may know of a job's target (a cluster's services, or a deployable add-on) and do to it
 * outside a job: its namespace and registration, the digest of what would be applied now, and the phase a request
 * writes with the job it queues. Nothing of how the engine applies it.
 */
public interface TargetView {
    /** The job key: a cluster id, or {@code <kind>/<id>} for an add-on. */
    String key();

    /** False once the registration is gone. */
    boolean registered();

    /** The namespace everything lives in. */
    String namespace();

    /** The registration it is (its stamp and claim). */
    Owner owner();

    /** A digest of everything that would be applied now (credentials left out). */
    String fingerprint();

    /** The registry's phase when a create is queued, written in the job's transaction. */
    void provisioning(String actor);

    /** The registry's phase when a removal is queued, written in the job's transaction. */
    void deprovisioning(String actor);
}
