package network.aios.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import network.aios.api.FieldError;
import network.aios.server.domain.DomainException;
import network.aios.store.TokenRecord;
import network.aios.store.TokenStore;

/**
 * API tokens of the form {@code aios_<id>_<secret>}: the id finds the row, the secret is checked against
 * a SHA-256 hash (the secret is 256 random bits, so a slow hash buys nothing). Secrets are shown once.
 */
public final class TokenService {
    private static final Pattern TOKEN = Pattern.compile("aios_([0-9a-f]{16})_([A-Za-z0-9_-]{43})");
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.@_]{0,61}[a-z0-9])?");

    /**
     * Verified tokens are remembered briefly so a request costs no database read. A revocation made on
     * this replica takes effect at once; one made on another replica within this time.
     */
    public static final java.time.Duration CACHE_TTL = java.time.Duration.ofSeconds(10);
    /**
     * Agent tokens are presented every few seconds by every cluster and can do nothing but report for
     * their cluster: they are re-read less often (revocation on this replica is still immediate).
     */
    public static final java.time.Duration AGENT_CACHE_TTL = java.time.Duration.ofSeconds(60);

    /**
     * A pull agent's credential is refused this long after it was issued: the agent rotates it well before (daily by
     * default), so a copy taken from a cluster stops working on its own.
     */
    public static final java.time.Duration PULL_CREDENTIAL_LIFETIME = java.time.Duration.ofDays(30);

    private record Cached(byte[] secretHash, Principal principal, java.time.Instant expires) {}

    private final TokenStore store;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final java.util.concurrent.ConcurrentHashMap<String, Cached> cache =
            new java.util.concurrent.ConcurrentHashMap<>();

    public TokenService(TokenStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** A new token's one-time secret, and what is stored of it. */
    public record Issued(String token, TokenRecord record) {}

    public Issued issue(String name, Principal.Role role, String actor) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw DomainException.invalid(List.of(new FieldError(
                    "/name",
                    "must be 1-63 lower-case letters, digits, "
                            + "'-', '.', '@' or '_', starting and ending with a letter or digit")));
        }
        return issue(name, role, null, actor);
    }

    /** A token for the agents of one cluster: it can act for that cluster only. */
    /** Every token's name, role, creation and whether it is revoked (never a secret or hash): the admin's. */
    public java.util.List<network.aios.store.TokenRecord> list(Principal who) {
        Principal.requireAdmin(who);
        return store.list();
    }

    public Issued issueAgent(String clusterId, String actor) {
        byte[] suffix = new byte[4];
        random.nextBytes(suffix);
        return issue(
                "agent." + clusterId + "." + HexFormat.of().formatHex(suffix), Principal.Role.AGENT, clusterId, actor);
    }

    /** A pull agent's credential for one cluster: it can fetch that cluster's desired state and report. */
    public Issued issuePull(String clusterId, String actor) {
        byte[] suffix = new byte[4];
        random.nextBytes(suffix);
        return issue(
                "pull." + clusterId + "." + HexFormat.of().formatHex(suffix), Principal.Role.PULL, clusterId, actor);
    }

    /**
     * Forgets what this replica remembers of the tokens acting for a cluster, so the next use reads the store again
     * (the cluster was deleted, and its credentials revoked with it).
     */
    public void forgetCluster(String clusterId) {
        cache.values().removeIf(c -> clusterId.equals(c.principal().clusterId()));
    }

    /** Revokes every agent token of a cluster (on removal, and before a new one is minted). */
    public void revokeAgent(String clusterId) {
        Runnable evict = () ->
                cache.values().removeIf(c -> clusterId.equals(c.principal().clusterId()));
        // when this joins a larger transaction (a removal's outcome), a request between this eviction and the
        // commit could cache the still-unrevoked row: evict again once it is committed
        store.revokeAgents(clusterId, clock.instant(), evict);
        evict.run();
    }

    private Issued issue(String name, Principal.Role role, String clusterId, String actor) {
        byte[] idBytes = new byte[8];
        byte[] secretBytes = new byte[32];
        random.nextBytes(idBytes);
        random.nextBytes(secretBytes);
        String id = HexFormat.of().formatHex(idBytes);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
        TokenRecord record =
                new TokenRecord(id, name, hash(secret), role.name().toLowerCase(), clock.instant(), null, clusterId);
        if (!store.insert(record, actor)) {
            throw DomainException.conflict("a token named '" + name + "' exists already");
        }
        return new Issued("aios_" + id + "_" + secret, record);
    }

    /** The principal behind a presented token, if it is well-formed, known, unrevoked and matches. */
    public Optional<Principal> authenticate(String presented) {
        if (presented == null) {
            return Optional.empty();
        }
        var m = TOKEN.matcher(presented.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        String id = m.group(1);
        byte[] presentedHash = hash(m.group(2));
        java.time.Instant now = clock.instant();
        Cached hit = cache.get(id);
        if (hit != null && hit.expires().isAfter(now)) {
            return MessageDigest.isEqual(hit.secretHash(), presentedHash)
                    ? Optional.of(hit.principal())
                    : Optional.empty();
        }
        Optional<TokenRecord> stored = store.get(id)
                .filter(TokenRecord::active)
                .filter(t -> !t.role().equals("pull")
                        || t.createdAt().plus(PULL_CREDENTIAL_LIFETIME).isAfter(now));
        if (stored.isEmpty()) {
            cache.remove(id);
            return Optional.empty();
        }
        TokenRecord t = stored.get();
        Principal p = new Principal(t.name(), Principal.Role.valueOf(t.role().toUpperCase()), t.clusterId());
        cache.put(
                id,
                new Cached(
                        t.secretHash(),
                        p,
                        now.plus(
                                p.role() == Principal.Role.AGENT || p.role() == Principal.Role.PULL
                                        ? AGENT_CACHE_TTL
                                        : CACHE_TTL)));
        return MessageDigest.isEqual(t.secretHash(), presentedHash) ? Optional.of(p) : Optional.empty();
    }

    /** Revokes a token by name; effective on this replica immediately. */
    public boolean revoke(String name, String actor) {
        boolean done = store.revoke(name, actor, clock.instant());
        cache.values().removeIf(c -> c.principal().name().equals(name));
        return done;
    }

    public boolean anyAdmin() {
        return store.anyAdmin();
    }

    private static byte[] hash(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
