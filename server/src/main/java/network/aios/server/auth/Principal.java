package network.aios.server.auth;

/** Who is calling: the token's name, and whether it is the network's admin or a cluster owner. */
public record Principal(String name, Role role) {
    public enum Role { ADMIN, OWNER }

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }

    /** Admin sees everything; an owner only what it owns. */
    public boolean mayAccess(String owner) {
        return isAdmin() || name.equals(owner);
    }
}
