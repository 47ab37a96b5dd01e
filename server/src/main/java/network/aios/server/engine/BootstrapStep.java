package network.aios.server.engine;

import static network.aios.store.JobState.APPLYING;
import static network.aios.store.JobState.BOOTSTRAPPING;
import static network.aios.store.JobState.FAILED;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import network.aios.api.kubeconfig.KubeconfigException;
import network.aios.member.ClusterOps;
import network.aios.member.Kubeconfigs;
import network.aios.member.Preflight;
import network.aios.member.desired.Owner;
import network.aios.server.auth.TokenService;
import network.aios.server.security.SecretBox;
import network.aios.store.InfraJob;
import network.aios.store.JobReason;
import network.aios.store.JobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bootstrap step of a create, with the owner's kubeconfig, used once: check that this is the cluster
 * deployed to before and that the namespace is free, this registration's, or shared with its kind; claim the
 * namespace before anything else lives there (waiting while an earlier removal's deletion finishes); apply the
 * control plane's own least-privilege identity; keep its token sealed; drop the owner's kubeconfig.
 */
final class BootstrapStep {
    private static final Logger LOG = LoggerFactory.getLogger(BootstrapStep.class);

    private final Targets targets;
    private final JobStore store;
    private final TokenService tokens;
    private final SecretBox box;
    private final ClusterConnector connector;
    private final MemberAccess access;
    private final Clock clock;
    private final Duration readyTimeout;

    BootstrapStep(
            Targets targets,
            JobStore store,
            TokenService tokens,
            SecretBox box,
            ClusterConnector connector,
            MemberAccess access,
            Clock clock,
            Duration readyTimeout) {
        this.targets = targets;
        this.store = store;
        this.tokens = tokens;
        this.box = box;
        this.connector = connector;
        this.access = access;
        this.clock = clock;
        this.readyTimeout = readyTimeout;
    }

    InfraJob step(InfraJob job, String lease, Target target) throws KubeconfigException {
        Kubeconfigs.Parsed admin = access.adminKubeconfig(job);
        try (ClusterOps ops = connector.open(admin.config())) {
            // the namespace: free, or this registration's (or shared with its kind); never taken from another
            Owner owner = target.owner();
            // the same cluster as before, if it was deployed before: a create for a registration whose
            // infrastructure runs elsewhere would leave that one running, unknown
            Optional<String> clusterUid = ops.clusterUid();
            Optional<String> deployedTo = access.credential(job.key()).map(Credential::clusterUid);
            if (clusterUid.isPresent()
                    && deployedTo.isPresent()
                    && !deployedTo.get().equals(clusterUid.get())) {
                return finish(job.next(
                        FAILED,
                        JobReason.ANOTHER_CLUSTER,
                        owner + "'s infrastructure was deployed to another cluster (their kube-system namespaces"
                                + " differ): remove it there first (its kubeconfig, or none), then create it here"));
            }
            Optional<Owner.NamespaceState> before = ops.namespace(target.namespace());
            if (before.isPresent() && before.get().terminating()) {
                return waitForNamespace(job, target);
            }
            if (before.isPresent() && target.sharedNamespace()) {
                claimForLegacyHolder(ops, before.get(), target);
            }
            Preflight.Check free = target.sharedNamespace()
                    ? Preflight.addonNamespace(before.orElse(null), target.namespace())
                    : Preflight.clusterNamespace(before.orElse(null), owner);
            if (free.status() == Preflight.Status.FAIL) {
                return finish(job.next(FAILED, JobReason.NAMESPACE_TAKEN, free.message() + "; " + free.fix()));
            }
            String nsUid = access.applyRecorded(ops, job, lease, BOOTSTRAPPING, 0, List.of(target.namespaceObject()))
                    .get(0)
                    .ref()
                    .uid();
            // the claim, before anything else lives there: a removal of another registration now keeps the
            // namespace, or (if its deletion won the race) the namespace is terminating and this job waits
            Optional<Owner.NamespaceState> claimed =
                    ops.annotateNamespace(target.namespace(), owner.claimKey(), owner.incarnation());
            if (claimed.isEmpty() || claimed.get().terminating()) {
                return waitForNamespace(job, target);
            }
            if (!target.sharedNamespace()) {
                // a namespace of one registration's: another's bootstrap may have claimed it in the same moment
                List<String> rivals = owner.others(claimed.get(), List.of(), targets::live);
                if (!rivals.isEmpty()) {
                    ops.annotateNamespace(target.namespace(), owner.claimKey(), null);
                    return finish(job.next(
                            FAILED,
                            JobReason.NAMESPACE_TAKEN,
                            "namespace " + target.namespace() + " was claimed at the same moment by "
                                    + String.join(", ", rivals) + ": one registration's services per member cluster"));
                }
            }
            access.applyRecorded(ops, job, lease, BOOTSTRAPPING, 1, target.bootstrap(nsUid));
            network.aios.server.runtime.Halt.at("identity applied"); // its credential not yet stored
            Optional<String> token = ops.controlPlaneToken(target.namespace(), InfraSteps.TOKEN_WAIT);
            if (token.isEmpty()) {
                return requeue(
                        job.next(BOOTSTRAPPING, JobReason.WAITING_FOR_TOKEN, "waiting for the ServiceAccount token"),
                        InfraSteps.TOKEN_POLL);
            }
            String agentToken = !target.needsAgentToken()
                    ? null
                    : access.credential(job.key())
                            .map(Credential::agentToken)
                            .orElseGet(() -> mintAgentToken(job.key()));
            Credential cred = new Credential(
                    admin.server(),
                    admin.caData(),
                    admin.insecure(),
                    token.get(),
                    agentToken,
                    access.credential(job.key()).map(Credential::serving).orElse(null),
                    clusterUid.orElse(null));
            store.credentials()
                    .put(job.key(), box.seal(cred.bytes(), MemberAccess.credentialContext(job.key())), clock.instant());
        }
        // the owner's kubeconfig has done its one job: forget it
        return job.next(
                        APPLYING,
                        JobReason.BOOTSTRAPPED,
                        "the control plane's own ServiceAccount is set up; the admin " + "kubeconfig was dropped")
                .withProgress(0, 0)
                .withoutAdmin()
                .runAt(clock.instant());
    }

    /**
     * A shared namespace made before claims names its last add-on in a label, which applying the namespace now
     * drops: that add-on, if it still has infrastructure, gets its claim first, so that neither its resync
     * nor another's removal takes it for gone.
     */
    private void claimForLegacyHolder(ClusterOps ops, Owner.NamespaceState ns, Target target) {
        String holder = ns.labels().get(network.aios.member.desired.AddonDeployment.ADDON_LABEL);
        if (holder == null
                || !Owner.claims(ns).isEmpty()
                || holder.equals(target.owner().id())) {
            return;
        }
        String key = target.key().substring(0, target.key().indexOf('/') + 1) + holder;
        Target legacy = targets.resolve(key);
        if (legacy.registered() && legacy.hasInfrastructure()) {
            Owner o = legacy.owner();
            ops.annotateNamespace(ns.name(), o.claimKey(), o.incarnation());
            LOG.info("namespace {}: claimed for {}, deployed before claims", ns.name(), o);
        }
    }

    /** The namespace is being deleted (an earlier removal): look again shortly, until the job's time is up. */
    private InfraJob waitForNamespace(InfraJob job, Target target) {
        String ns = target.namespace();
        if (Duration.between(job.createdAt(), clock.instant()).compareTo(readyTimeout) > 0) {
            return finish(job.next(
                    FAILED,
                    JobReason.NAMESPACE_TERMINATING,
                    "namespace " + ns + " was still being deleted after " + readyTimeout.toMinutes() + " min"));
        }
        return requeue(
                job.next(
                        BOOTSTRAPPING,
                        JobReason.WAITING_FOR_NAMESPACE,
                        "namespace " + ns + " is being deleted; waiting until it is gone"),
                RemovalSteps.NAMESPACE_POLL);
    }

    private String mintAgentToken(String clusterId) {
        tokens.revokeAgent(clusterId);
        return tokens.issueAgent(clusterId, "infra-job").token();
    }

    private InfraJob finish(InfraJob j) {
        return InfraSteps.finish(j, clock);
    }

    private InfraJob requeue(InfraJob j, Duration after) {
        return InfraSteps.requeue(j, after, clock);
    }
}
