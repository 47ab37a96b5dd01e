package network.aios.server.policy;

import java.util.Optional;
import network.aios.api.AddonKind;
import network.aios.policy.PolicyEngine;
import network.aios.store.AddonRecord;
import network.aios.store.AddonStore;
import network.aios.store.TokenStore;

/**
 * The registered policy executors a network policy may use: those the network admin registered, or,
 * when the policy names an owner, that owner's. Owners choose executor ids, so an id alone would let
 * whoever registers it first receive every cluster document and decide admission.
 */
public final class TrustedExecutors implements PolicyEngine.ExecutorDirectory {
    private final AddonStore addons;
    private final TokenStore tokens;

    public TrustedExecutors(AddonStore addons, TokenStore tokens) {
        this.addons = addons;
        this.tokens = tokens;
    }

    @Override
    public Optional<String> url(String executorId, String owner) {
        return addons.get(AddonKind.EXECUTOR.wire(), executorId)
                .filter(r -> problem(r, owner).isEmpty())
                .map(AddonRecord::publicUrl);
    }

    /** Why a policy may not use executor {@code executorId}; empty when it may (or it is not registered yet). */
    public Optional<String> problem(String executorId, String owner) {
        return addons.get(AddonKind.EXECUTOR.wire(), executorId).flatMap(r -> problem(r, owner));
    }

    private Optional<String> problem(AddonRecord r, String owner) {
        if (owner != null) {
            return owner.equals(r.owner())
                    ? Optional.empty()
                    : Optional.of("executor '" + r.id() + "' is not registered by '" + owner
                            + "', the owner this policy names");
        }
        boolean admins = tokens.roleOf(r.owner()).map("admin"::equals).orElse(false);
        return admins
                ? Optional.empty()
                : Optional.of("executor '" + r.id() + "' is registered by an owner, not by "
                        + "the network admin; register the executor with an admin token, or name its owner in "
                        + "/executor/owner to trust it");
    }
}
