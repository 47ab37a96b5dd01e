package network.aios.server.pull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import network.aios.api.ClusterStatus;
import network.aios.api.FieldError;
import network.aios.member.desired.InfraSettings;
import network.aios.member.desired.PullBootstrap;
import network.aios.policy.PolicyAction;
import network.aios.server.auth.Principal;
import network.aios.server.auth.TokenService;
import network.aios.server.clusters.ClusterService;
import network.aios.server.clusters.ClusterView;
import network.aios.server.domain.DomainException;
import network.aios.server.policy.PolicyService;
import network.aios.store.ClusterRecord;
import network.aios.store.ClusterStore;
import network.aios.store.InfraPhase;
import network.aios.store.JobStore;
import network.aios.store.JoinRecord;
import network.aios.store.JoinState;
import network.aios.store.JoinStore;

/**
 * Pull-mode joins, a double opt-in: the owner asks for a bootstrap token and applies the manifest; the agent on the
 * cluster exchanges the token (once) for its own credential and asks to join; the admin accepts (or an
 * {@code accept_cluster} policy does, when the owner asked for that). The bootstrap token is kept only as a hash and
 * dies at its first use or at its expiry.
 */
public final class PullJoins {
    private static final Pattern BOOTSTRAP = Pattern.compile("aiosjoin_([0-9a-f]{16})_([A-Za-z0-9_-]{43})");
    static final Duration DEFAULT_TTL = Duration.ofHours(1);
    static final Duration MAX_TTL = Duration.ofHours(24);
    private static final Duration MIN_TTL = Duration.ofMinutes(1);

    private final ClusterService clusters;
    private final ClusterStore clusterStore;
    private final JobStore infra;
    private final JoinStore joins;
    private final TokenService tokens;
    private final PolicyService policies;
    private final InfraSettings settings;
    private final Clock clock;
    private final java.util.function.Consumer<String> changed;
    private final SecureRandom random = new SecureRandom();

    PullJoins(
            ClusterService clusters,
            ClusterStore clusterStore,
            JobStore infra,
            JoinStore joins,
            TokenService tokens,
            PolicyService policies,
            InfraSettings settings,
            Clock clock,
            java.util.function.Consumer<String> changed) {
        this.clusters = clusters;
        this.clusterStore = clusterStore;
        this.infra = infra;
        this.joins = joins;
        this.tokens = tokens;
        this.policies = policies;
        this.settings = settings;
        this.clock = clock;
        this.changed = changed;
    }

    /** A new join's one-time token and the manifest that carries it. */
    public record Issued(JoinRecord join, String token, String manifest) {}

    public Issued join(Principal who, String clusterId, Duration ttl, boolean acceptByPolicy) {
        ClusterRecord cluster = clusters.get(who, clusterId);
        Duration life = ttl == null ? DEFAULT_TTL : ttl;
        if (life.compareTo(MIN_TTL) < 0 || life.compareTo(MAX_TTL) > 0) {
            throw DomainException.invalid(
                    List.of(new FieldError("/ttlSeconds", "must be between 60 and " + MAX_TTL.toSeconds())));
        }
        if (!ClusterStatus.REGISTERED.wire().equals(cluster.status()) || infra.hasInfra(clusterId)) {
            throw new DomainException(
                            DomainException.Kind.CONFLICT,
                            "has_infrastructure",
                            "cluster '" + clusterId + "' has AIOS infrastructure already (status " + cluster.status()
                                    + "): a cluster is run in push mode or in pull mode, not both",
                            List.of(),
                            "remove it first (aios cluster infra remove " + clusterId + ")")
                    .withNext("DELETE", "/api/v1/clusters/" + clusterId + "/infra");
        }
        expireDue();
        Optional<JoinRecord> latest = joins.latest(clusterId);
        latest.filter(j -> !j.state().live() && j.credentialName() != null)
                .ifPresent(j -> tokens.revoke(j.credentialName(), who.name())); // a refused join's agent
        Optional<JoinRecord> live = latest.filter(j -> j.state().live());
        if (live.isPresent()) {
            JoinRecord j = live.get();
            if (j.state() != JoinState.ISSUED && j.state() != JoinState.REQUESTED) {
                throw DomainException.conflict("cluster '" + clusterId + "' has joined already (join " + j.id() + " is "
                        + j.state().wire() + "): revoke it first (DELETE /api/v1/clusters/" + clusterId + "/join)");
            }
            if (!revokeJoin(j, who.name(), "replaced by a new join")) {
                throw DomainException.conflict("the join of cluster '" + clusterId + "' changed meanwhile; look again");
            }
        }
        byte[] idBytes = new byte[8];
        byte[] secret = new byte[32];
        random.nextBytes(idBytes);
        random.nextBytes(secret);
        String id = HexFormat.of().formatHex(idBytes);
        String secretText = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Instant now = clock.instant();
        JoinRecord record = new JoinRecord(
                id,
                clusterId,
                hash(secretText),
                JoinState.ISSUED,
                acceptByPolicy,
                now.plus(life),
                who.name(),
                now,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
        if (!joins.insert(record)) {
            throw DomainException.conflict("cluster '" + clusterId + "' was given a join at the same moment; retry");
        }
        String token = "aiosjoin_" + id + "_" + secretText;
        return new Issued(
                record,
                token,
                PullBootstrap.manifest(
                        clusterId,
                        settings,
                        token,
                        network.aios.api.ClusterDocument.of(cluster.document()).allowsExternalNodes()));
    }

    /** The cluster's latest join (never its token); empty when it never had one. */
    public Optional<JoinRecord> view(Principal who, String clusterId) {
        clusters.get(who, clusterId);
        expireDue();
        return joins.latest(clusterId);
    }

    private JoinRecord latest(Principal who, String clusterId, String wanted) {
        return view(who, clusterId)
                .orElseThrow(() -> DomainException.conflict(
                        "cluster '" + clusterId + "' has no join" + wanted + " (aios cluster join " + clusterId + ")"));
    }

    public JoinRecord accept(Principal who, String clusterId) {
        Principal.requireAdmin(who);
        JoinRecord j = latest(who, clusterId, " to accept");
        if (j.state() != JoinState.REQUESTED) {
            throw DomainException.conflict("the join of cluster '" + clusterId + "' is "
                    + j.state().wire() + ": only a requested join (its agent has asked) can be accepted");
        }
        requireNoInfrastructure(clusterId);
        if (!joins.transition(
                j.id(),
                Set.of(JoinState.REQUESTED),
                JoinState.ACCEPTED,
                who.name(),
                null,
                clock.instant(),
                "cluster.join.accept")) {
            throw DomainException.conflict("the join of cluster '" + clusterId + "' changed meanwhile; look again");
        }
        clusterStore.setInfra(clusterId, InfraPhase.PROVISIONING, null, who.name(), clock.instant());
        changed.accept(clusterId);
        return joins.get(j.id()).orElseThrow();
    }

    public JoinRecord refuse(Principal who, String clusterId, String reason) {
        Principal.requireAdmin(who);
        JoinRecord j = latest(who, clusterId, " to refuse");
        if (j.state() != JoinState.REQUESTED && j.state() != JoinState.ISSUED) {
            throw DomainException.conflict("the join of cluster '" + clusterId + "' is "
                    + j.state().wire() + ": only an issued or requested join can be refused");
        }
        if (!joins.transition(
                j.id(),
                Set.of(JoinState.REQUESTED, JoinState.ISSUED),
                JoinState.REFUSED,
                who.name(),
                reason == null || reason.isBlank() ? "refused by the network admin" : reason,
                clock.instant(),
                "cluster.join.refuse")) {
            throw DomainException.conflict("the join of cluster '" + clusterId + "' changed meanwhile; look again");
        }
        // its agent's credential is left to hear "refused" (it can do nothing else): revoked by the next join
        changed.accept(clusterId);
        return joins.get(j.id()).orElseThrow();
    }

    /** Revokes the cluster's live join that holds no infrastructure: its token and its agent's credential. */
    public void revoke(Principal who, String clusterId) {
        JoinRecord j = latest(who, clusterId, " to revoke");
        if (j.state() == JoinState.ACCEPTED || j.state() == JoinState.REMOVING) {
            throw new DomainException(
                            DomainException.Kind.CONFLICT,
                            "has_infrastructure",
                            "cluster '" + clusterId + "' joined, and its pull agent applied the AIOS infrastructure:"
                                    + " remove that first; the join ends with it",
                            List.of(),
                            "aios cluster infra remove " + clusterId)
                    .withNext("DELETE", "/api/v1/clusters/" + clusterId + "/infra");
        }
        if (!j.state().live()) {
            throw DomainException.conflict("the join of cluster '" + clusterId + "' is "
                    + j.state().wire() + " already: there is nothing to revoke");
        }
        if (!revokeJoin(j, who.name(), null)) {
            throw DomainException.conflict("the join of cluster '" + clusterId + "' changed meanwhile; look again");
        }
        changed.accept(clusterId);
    }

    /**
     * Revokes a join that is still issued or requested, and then the credential it holds now (an exchange may have
     * given it one since it was read); false, and nothing revoked, when another request changed it first (accepted
     * meanwhile: that join goes on).
     */
    private boolean revokeJoin(JoinRecord j, String actor, String reason) {
        if (!joins.transition(
                j.id(),
                Set.of(JoinState.ISSUED, JoinState.REQUESTED),
                JoinState.REVOKED,
                actor,
                reason,
                clock.instant(),
                "cluster.join.revoke")) {
            return false;
        }
        joins.get(j.id()).map(JoinRecord::credentialName).ifPresent(name -> tokens.revoke(name, actor));
        return true;
    }

    /** The exchange's answer: the cluster, the agent's own credential (shown once) and where the join stands. */
    public record Exchanged(String clusterId, String credential, JoinState state) {}

    private static DomainException invalidToken() {
        return new DomainException(
                DomainException.Kind.UNAUTHENTICATED,
                "bootstrap_token_invalid",
                "the bootstrap token is unknown, used, expired or revoked",
                null,
                "ask the cluster's owner for a new join (aios cluster join <id>)");
    }

    public Exchanged exchange(String bootstrapToken, String clusterUid) {
        var m = BOOTSTRAP.matcher(bootstrapToken == null ? "" : bootstrapToken.trim());
        if (!m.matches()) {
            throw invalidToken();
        }
        if (clusterUid != null && (clusterUid.length() > 64 || !clusterUid.matches("[A-Za-z0-9-]+"))) {
            throw DomainException.invalid(
                    List.of(new FieldError("/clusterUid", "must be a uid (letters, digits, '-')")));
        }
        JoinRecord j = joins.get(m.group(1))
                .filter(r -> MessageDigest.isEqual(r.secretHash(), hash(m.group(2))))
                .filter(r -> r.state() == JoinState.ISSUED && r.expiresAt().isAfter(clock.instant()))
                .orElseThrow(PullJoins::invalidToken);
        ClusterRecord cluster = clusterStore.get(j.clusterId()).orElseThrow(PullJoins::invalidToken);
        requireNoInfrastructure(j.clusterId()); // push mode was started since the join was issued
        boolean admitted = j.acceptByPolicy() && admittedByPolicy(cluster);
        JoinState to = admitted ? JoinState.ACCEPTED : JoinState.REQUESTED;
        TokenService.Issued credential = tokens.issuePull(j.clusterId(), "pull-agent");
        if (!joins.exchange(
                j.id(),
                clusterUid,
                credential.record().name(),
                to,
                admitted ? "policy:accept_cluster" : null,
                clock.instant())) {
            tokens.revoke(credential.record().name(), "pull-agent"); // another exchange won: this one never counts
            throw invalidToken();
        }
        if (admitted) {
            clusterStore.setInfra(
                    j.clusterId(), InfraPhase.PROVISIONING, null, "policy:accept_cluster", clock.instant());
        }
        changed.accept(j.clusterId());
        return new Exchanged(j.clusterId(), credential.token(), to);
    }

    /** A cluster is run in push mode or in pull mode, never both: a join is not admitted where push mode runs. */
    private void requireNoInfrastructure(String clusterId) {
        boolean registeredOnly = clusterStore
                .get(clusterId)
                .map(c -> ClusterStatus.REGISTERED.wire().equals(c.status()))
                .orElse(false);
        if (!registeredOnly || infra.hasInfra(clusterId)) {
            throw new DomainException(
                    DomainException.Kind.CONFLICT,
                    "has_infrastructure",
                    "cluster '" + clusterId + "' has AIOS infrastructure in push mode: a cluster is run in push mode"
                            + " or in pull mode, not both",
                    List.of(),
                    "remove it first (aios cluster infra remove " + clusterId + "), then join again");
        }
    }

    /** An {@code accept_cluster} policy in force that allows this cluster; none in force admits nobody. */
    private boolean admittedByPolicy(ClusterRecord cluster) {
        if (policies.current(PolicyAction.ACCEPT_CLUSTER).isEmpty()) {
            return false;
        }
        return policies.check(PolicyAction.ACCEPT_CLUSTER, ClusterView.of(cluster), null)
                .decision()
                .isAllowed();
    }

    /** Issued joins whose token ran out are expired (looked at whenever joins are read). */
    void expireDue() {
        joins.expire(clock.instant());
    }

    private static byte[] hash(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
