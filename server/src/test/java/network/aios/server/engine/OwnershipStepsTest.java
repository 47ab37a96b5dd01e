package network.aios.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import network.aios.api.Incarnation;
import network.aios.member.desired.InfraNames;
import network.aios.member.desired.ObjectRef;
import network.aios.member.desired.Owner;
import network.aios.store.ClusterStore;
import network.aios.store.InfraJob;
import network.aios.store.JobKind;
import network.aios.store.JobReason;
import network.aios.store.JobState;
import org.junit.jupiter.api.Test;

/**
 * A removal acts only on what its own registration made ({@link Owner}): against a member cluster in memory
 * that holds another registration's infrastructure, step by step. The same cases on a real kube-apiserver are
 * in {@code SharedClusterIT}.
 */
class OwnershipStepsTest extends StepsFixture {
    private static final String NS = InfraNames.NAMESPACE;

    private Owner owner(String key) {
        return Owner.cluster(
                key, Incarnation.of(new ClusterStore(db).get(key).orElseThrow().createdAt()));
    }

    /** What the receipt says of one object: "outcome" or "outcome: reason". */
    static String item(InfraJob removal, String object) {
        for (var i : removal.receipt().path("items")) {
            if (object.equals(i.path("object").asString())) {
                return i.path("outcome").asString()
                        + (i.has("reason") ? ": " + i.path("reason").asString() : "");
            }
        }
        throw new AssertionError("no " + object + " in " + removal.receipt());
    }

    @Test
    void removingARegistrationThatHasNothingOnTheClusterChangesNothingAndSaysSo() throws Exception {
        ready();
        int objects = cluster.objects.size();
        String other = register();

        InfraJob removal = runToEnd(queued(JobKind.REMOVE, other, true));

        assertThat(removal.state()).isEqualTo(JobState.REMOVED);
        assertThat(removal.reason()).isEqualTo(JobReason.NOTHING_TO_REMOVE);
        assertThat(removal.message()).contains("nothing of cluster " + other);
        assertThat(item(removal, "Namespace aios-system"))
                .isEqualTo("kept: it holds cluster " + id + ", not cluster " + other);
        assertThat(cluster.objects).hasSize(objects);
        assertThat(cluster.calls).noneMatch(c -> c.startsWith("delete"));
        assertThat(new ClusterStore(db).get(id).orElseThrow().status()).isEqualTo("degraded");
        // without a kubeconfig the same: nothing recorded, nothing looked at
        InfraJob again = runToEnd(queued(JobKind.REMOVE, other, false));
        assertThat(again.reason()).isEqualTo(JobReason.NOTHING_TO_REMOVE);
    }

    @Test
    void aSecondRegistrationsCreateIsRefusedWhereAnotherOnesServicesLive() throws Exception {
        ready();
        String other = register();

        InfraJob create = runToEnd(queued(JobKind.CREATE, other, true));

        assertThat(create.state()).isEqualTo(JobState.FAILED);
        assertThat(create.reason()).isEqualTo(JobReason.NAMESPACE_TAKEN);
        assertThat(create.message()).contains("holds the AIOS services of cluster " + id);
        assertThat(cluster.calls).noneMatch(c -> c.startsWith("annotateNamespace") && c.contains(other));
        assertThat(cluster.namespace(NS).map(Owner::claims).orElseThrow())
                .containsOnlyKeys(owner(id).claimKey());
        assertThat(new ClusterStore(db).get(other).orElseThrow().status()).isEqualTo("failed");
    }

    /** Another registration that has infrastructure (as the registry says), claiming {@code namespace}. */
    private Owner liveNeighbour(String namespace) throws Exception {
        String other = register();
        new ClusterStore(db).setInfra(other, network.aios.store.InfraPhase.READY, null, "test", clock.instant());
        Owner o = owner(other);
        cluster.annotateNamespace(namespace, o.claimKey(), o.incarnation());
        return o;
    }

    @Test
    void anObjectStampedByAnotherRegistrationIsKeptAndTheNamespaceWithIt() throws Exception {
        ready();
        // another registration took the Service over, and claims the namespace
        Owner neighbour = liveNeighbour(NS);
        ObjectRef svc = new ObjectRef("v1", "Service", NS, "aios-mgmt", null);
        HasMetadata taken = cluster.get(svc).orElseThrow();
        taken.getMetadata().getAnnotations().put(Owner.ANNOTATION, neighbour.stamp());
        synchronized (cluster) {
            FakeClusterOps.Stored s = cluster.objects.get(FakeClusterOps.key(svc));
            cluster.objects.put(
                    FakeClusterOps.key(svc), new FakeClusterOps.Stored(taken, s.uid(), s.revision() + 1, true));
        }

        cluster.calls.clear();
        InfraJob removal = runToEnd(queued(JobKind.REMOVE));

        assertThat(removal.state()).isEqualTo(JobState.REMOVED);
        assertThat(item(removal, "Service aios-system/aios-mgmt")).isEqualTo("kept: it belongs to " + neighbour);
        assertThat(item(removal, "Namespace aios-system")).isEqualTo("kept: shared with " + neighbour);
        assertThat(item(removal, "ServiceAccount aios-system/" + InfraNames.CONTROL_PLANE_SA))
                .isEqualTo("residual: the namespace is kept: shared with " + neighbour);
        assertThat(removal.reason()).isEqualTo(JobReason.REMOVED_WITH_RESIDUALS);
        assertThat(cluster.has("Service", "aios-mgmt")).isTrue();
        assertThat(cluster.has("Service", "aios-controller"))
                .as("its own are deleted")
                .isFalse();
        // its own credential may not patch the namespace: its claim stays, and no longer counts
        assertThat(cluster.namespace(NS).map(Owner::claims).orElseThrow())
                .containsKeys(owner(id).claimKey(), neighbour.claimKey());
        assertThat(cluster.calls).noneMatch(c -> c.startsWith("annotateNamespace"));
    }

    @Test
    void aClaimThatLandsBetweenTheLookAndTheDeleteKeepsTheNamespace() throws Exception {
        ready();
        String late = register();
        new ClusterStore(db).setInfra(late, network.aios.store.InfraPhase.PROVISIONING, null, "t", clock.instant());
        // another registration claims the namespace just after the removal looked at who lives there
        cluster.onDeployments = () -> {
            cluster.onDeployments = () -> {};
            Owner o = owner(late);
            cluster.annotateNamespace(NS, o.claimKey(), o.incarnation());
        };

        InfraJob removal = runToEnd(queued(JobKind.REMOVE));

        assertThat(item(removal, "Namespace aios-system")).isEqualTo("kept: shared with cluster " + late);
        assertThat(cluster.namespace(NS)).isPresent();
        assertThat(cluster.calls)
                .filteredOn(c -> c.equals("delete Namespace aios-system"))
                .hasSize(1);
    }

    @Test
    void aClaimWhoseRegistrationHasNoInfrastructureNoLongerKeepsTheNamespace() throws Exception {
        ready();
        String gone = register(); // registered, but nothing deployed: its claim is a leftover
        Owner stale = owner(gone);
        cluster.annotateNamespace(NS, stale.claimKey(), stale.incarnation());
        cluster.namespaceGone = false;

        InfraJob removal = step(queued(JobKind.REMOVE));

        assertThat(item(removal, "Namespace aios-system")).isEqualTo("deleted");
    }

    @Test
    void aKubeconfigForAnotherClusterChangesNothingAndForgetsNothing() throws Exception {
        ready();
        int objects = cluster.objects.size();
        cluster.clusterUid = "kube-system-uid-of-another-cluster";

        InfraJob removal = runToEnd(queued(JobKind.REMOVE, id, true));

        assertThat(removal.state()).isEqualTo(JobState.FAILED);
        assertThat(removal.reason()).isEqualTo(JobReason.WRONG_CLUSTER);
        assertThat(removal.message()).contains("another cluster");
        assertThat(cluster.objects).hasSize(objects);
        assertThat(store.inventory().list(id)).isNotEmpty();
        assertThat(store.credentials().get(id)).isPresent();
        assertThat(new ClusterStore(db).get(id).orElseThrow().status())
                .as("as ready as before")
                .isEqualTo("degraded");
        // nor does a create there move it
        InfraJob create = runToEnd(queued(JobKind.CREATE));
        assertThat(create.reason()).isEqualTo(JobReason.ANOTHER_CLUSTER);
    }

    @Test
    void aRemovalWaitsForTheNamespaceItDeletedNotForOneMadeAgain() throws Exception {
        ready();
        cluster.namespaceGone = false;
        InfraJob removal = step(queued(JobKind.REMOVE));
        assertThat(removal.state()).isEqualTo(JobState.WAITING_NAMESPACE);
        removal = step(removal);
        assertThat(removal.state()).as("still terminating").isEqualTo(JobState.WAITING_NAMESPACE);
        // it finished, and another registration's create made a namespace of that name again at once
        cluster.namespaceGone = true;
        cluster.namespace(NS);
        cluster.apply(network.aios.member.desired.DesiredState.namespace("someone-else"));

        removal = runToEnd(removal);

        assertThat(removal.state()).isEqualTo(JobState.REMOVED);
        assertThat(removal.reason()).isEqualTo(JobReason.REMOVED);
    }

    @Test
    void theLastClaimTakesTheNamespace() throws Exception {
        ready();
        cluster.namespaceGone = false;

        InfraJob removal = step(queued(JobKind.REMOVE));

        assertThat(removal.state()).isEqualTo(JobState.WAITING_NAMESPACE);
        assertThat(cluster.namespace(NS).map(Owner.NamespaceState::terminating)).contains(true);
        assertThat(item(removal, "Namespace aios-system")).isEqualTo("deleted");
        assertThat(item(removal, "ServiceAccount aios-system/" + InfraNames.CONTROL_PLANE_SA))
                .isEqualTo("deleted_with_namespace");
    }

    @Test
    void aResyncThatFindsTheNamespaceGoneSaysSoAndTheClusterIsNoLongerLive() throws Exception {
        ready();
        cluster.remove("Namespace", NS); // deleted on the member cluster by someone

        InfraJob resync = runToEnd(queued(JobKind.RESYNC));

        assertThat(resync.state()).isEqualTo(JobState.FAILED);
        assertThat(resync.reason()).isEqualTo(JobReason.INFRASTRUCTURE_LOST);
        assertThat(resync.message()).contains("namespace aios-system is gone from the cluster");
        assertThat(new ClusterStore(db).get(id).orElseThrow().status()).isEqualTo("failed");
        // and creating again re-creates it
        InfraJob create = runToEnd(queued(JobKind.CREATE));
        assertThat(create.state()).isEqualTo(JobState.READY);
        assertThat(cluster.namespace(NS)).isPresent();
    }

    @Test
    void aRemovalWhoseOwnCredentialIsRefusedFailsWithTheWayOut() throws Exception {
        ready();
        cluster.failing.put("namespace", FakeClusterOps.answer(401, "Unauthorized"));

        InfraJob removal = runToEnd(queued(JobKind.REMOVE));

        assertThat(removal.state()).isEqualTo(JobState.FAILED);
        assertThat(removal.reason()).isEqualTo(JobReason.CREDENTIAL_REFUSED);
        assertThat(removal.message()).contains("--kubeconfig");
        assertThat(new ClusterStore(db).get(id).orElseThrow().status())
                .as("not left deprovisioning")
                .isEqualTo("failed");
        assertThat(store.credentials().get(id)).as("kept for the next try").isPresent();
    }
}
