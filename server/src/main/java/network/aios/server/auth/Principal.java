package network.aios.server.auth;

/**
 * Who is calling: the token's name and role. An agent acts for one cluster ({@code clusterId}) and
 * for nothing else.
 */
public record Principal(String name, Role role, String clusterId) {
    public enum Role {
        ADMIN,
        OWNER,
        /** A cluster's agents (the four services): report for that cluster. */
        AGENT,
        /** A pull-mode cluster's pull agent: fetches that cluster's desired state and reports what it applied. */
        PULL
    }

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }

    /** Admin sees everything; an owner only what it owns. */
    public boolean mayAccess(String owner) {
        return isAdmin() || role == Role.OWNER && name.equals(owner);
    }

    /** Whose quotas a request of this caller counts against: an owner's own; null for the admin (not limited). */
    public String quotaOwner() {
        return role == Role.OWNER ? name : null;
    }

    /** Only the network admin may go on; anyone else gets a forbidden. */
    public static void requireAdmin(Principal p) {
        if (!p.isAdmin()) {
            throw network.aios.server.domain.DomainException.forbidden("this needs the network admin's token");
        }
    }
}
