package network.aios.server.infra;

import network.aios.server.auth.Principal;
import network.aios.server.domain.DomainException;

/**
 * The bulkhead in front of the requests that call a member cluster while the caller waits (preflight, the
 * checks before a create, a removal or an add-on deployment): each owner holds at most {@link #perOwner} of
 * them at once, and one more is answered 429 at once instead of queueing. A slow or hostile API server then
 * costs its owner those slots, never a thread or a queue place anyone else needs. The admin is not limited.
 */
public final class MemberCallSlots {
    private final network.aios.server.runtime.KeyedPermits owners;

    public MemberCallSlots(int perOwner) {
        this.owners = new network.aios.server.runtime.KeyedPermits(perOwner);
    }

    /** A held slot; closing it gives it back. */
    public interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    /** Takes one of {@code who}'s slots, or refuses with 429 when all are taken. */
    public Slot enter(Principal who) {
        String owner = who.quotaOwner();
        if (owner == null) {
            return () -> {};
        }
        if (!owners.tryEnter(owner)) {
            throw new DomainException(
                    DomainException.Kind.TOO_MANY_REQUESTS,
                    "too_many_member_calls",
                    "owner '" + owner + "' already has " + owners.perKey()
                            + " requests calling member clusters under way; retry when one has answered",
                    null,
                    null);
        }
        return () -> owners.leave(owner);
    }
}
