package network.aios.store;

/** What an owner's delete of a registration (a cluster, an add-on) did. */
public enum Deletion {
    DELETED,
    /** Gone already, or at another version. */
    STALE,
    /** It has AIOS infrastructure, or a job changing it: nothing was deleted. */
    HAS_INFRA
}
