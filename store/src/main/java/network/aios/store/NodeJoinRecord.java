package network.aios.store;

import java.time.Instant;

/**
 * An external node's join as stored: the node it was issued for (its declared spec, {@code node}, as JSON text),
 * the kubeadm token (its id in clear, the whole token only {@link #token() sealed}), where the join stands, and
 * where its bootstrap Secret on the member cluster stands.
 */
public record NodeJoinRecord(
        String id,
        String clusterId,
        String nodeId,
        String node,
        String tokenId,
        Sealed token,
        Integer policyVersion,
        State state,
        Instant expiresAt,
        String createdBy,
        Instant createdAt,
        Instant endedAt,
        String note,
        SecretState secretState,
        String secretUid,
        String secretVersion) {

    /** Where a join stands. */
    public enum State {
        /** The token is live; the node has not appeared yet. */
        ISSUED,
        /** The node appeared and the document gained it. */
        JOINED,
        /** The token ran out before the node appeared. */
        EXPIRED,
        /** Revoked by its owner or an admin before the node appeared. */
        REVOKED,
        /** The node joined and later left; the document lost it. */
        LEFT;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static State fromWire(String s) {
            return valueOf(s.toUpperCase(java.util.Locale.ROOT));
        }
    }

    /** The bootstrap Secret on the member cluster. */
    public enum SecretState {
        PENDING,
        CREATED,
        DELETED;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static SecretState fromWire(String s) {
            return valueOf(s.toUpperCase(java.util.Locale.ROOT));
        }
    }

    /** The context the token is sealed under: only this join's row opens it. */
    public String sealContext() {
        return sealContext(id);
    }

    /** The seal context of join {@code id}. */
    public static String sealContext(String id) {
        return "node-join/" + id;
    }

    /** Whether the bootstrap Secret should exist on the member cluster now. */
    public boolean secretWanted(Instant now) {
        return state == State.ISSUED && now.isBefore(expiresAt);
    }

    @Override
    public String toString() {
        return "NodeJoinRecord[" + id + " " + clusterId + "/" + nodeId + " " + state + "]";
    }
}
