package network.aios.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import network.aios.store.ClusterRecord;
import network.aios.store.ClusterStore;
import network.aios.store.GatewayRouteStore;
import network.aios.store.InfraJob;
import network.aios.store.JobKind;
import network.aios.store.JobReason;
import network.aios.store.JobState;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * The job machinery step by step against a member cluster in memory ({@link FakeClusterOps}) and a
 * real PostgreSQL: every transition of create, resync and remove, retries by error class, prune and
 * repair. The clock is the test's: a step due later is run by moving it, not by waiting.
 */
class InfraStepsTest extends StepsFixture {
    @Test
    void createGoesThroughEveryStateAndForgetsTheOwnersKubeconfigAfterBootstrap() throws Exception {
        InfraJob job = queued(JobKind.CREATE);
        job = step(job);
        assertThat(job.state()).isEqualTo(JobState.BOOTSTRAPPING);
        assertThat(job.adminSealed()).isNotNull();
        job = step(job);
        assertThat(job.state()).isEqualTo(JobState.APPLYING);
        assertThat(job.adminSealed()).as("dropped once bootstrap is done").isNull();
        assertThat(store.credentials().get(id)).isPresent();
        job = step(job);
        assertThat(job.state()).isEqualTo(JobState.WAITING_READY);
        assertThat(job.message())
                .as("every object new: each apply says it created it")
                .matches("applied (\\d+) objects \\(\\1 created\\)");
        assertThat(cluster.has("Secret", "aios-agent-tls")).isTrue();
        cluster.notReady.add("aios-mgmt (0/1 available)");
        job = step(job);
        assertThat(job.state()).isEqualTo(JobState.WAITING_READY);
        assertThat(job.message()).contains("aios-mgmt");
        cluster.notReady.clear();
        job = step(job);
        assertThat(job.state()).isEqualTo(JobState.READY);
        assertThat(job.finished()).isTrue();
        assertThat(new ClusterStore(db).get(id).orElseThrow().status()).isEqualTo("degraded");
        // every object recorded in the inventory, with the uid the cluster gave it
        assertThat(store.inventory().list(id))
                .hasSize(cluster.objects.size())
                .allSatisfy(i -> assertThat(i.uid()).isNotNull());
        assertThat(store.appliedFingerprint(id)).isPresent();
    }

    @Test
    void aReadyOutcomeWhoseLeaseWasLostLeavesTheRegistryAsItWas() throws Exception {
        InfraJob job = queued(JobKind.CREATE);
        while (job.state() != JobState.WAITING_READY) {
            job = step(job);
        }
        ClusterStore clusters = new ClusterStore(db);
        String before = clusters.get(id).orElseThrow().status();
        InfraJob claimed = store.claim(OWNER, clock.instant(), JobRunner.LEASE).orElseThrow();
        InfraJob ready = steps.step(claimed, OWNER);
        assertThat(ready.state()).isEqualTo(JobState.READY);
        // the step ran past its lease and another runner took the job over before this one saved
        clock.now = clock.now.plus(JobRunner.LEASE).plusSeconds(1);
        assertThat(store.claim("runner-other", clock.instant(), JobRunner.LEASE))
                .isPresent();

        assertThat(steps.save(ready, OWNER)).isFalse();
        assertThat(clusters.get(id).orElseThrow().status())
                .as("no phase without its job")
                .isEqualTo(before)
                .isNotIn("live", "degraded");
        assertThat(clusters.get(id).orElseThrow().document().path("config").has("urlMap"))
                .isFalse();
        assertThat(store.appliedFingerprint(id)).isEmpty();
    }

    @Test
    void aJobWaitingForItsDeploymentsIsDueAtOnceWhenAWatchSeesThemChange() throws Exception {
        List<String> nudged = new java.util.ArrayList<>();
        steps = stepsNudging(key -> {
            if (store.runNow(key, clock.instant())) {
                nudged.add(key);
            }
        });
        InfraJob job = queued(JobKind.CREATE);
        cluster.notReady.add("aios-mgmt (0/1 available)");
        while (job.state() != JobState.WAITING_READY) {
            job = step(job);
        }
        job = step(job); // the first look: not available; a watch starts, the poll is the fallback
        assertThat(job.state()).isEqualTo(JobState.WAITING_READY);
        assertThat(job.nextRunAt()).isAfter(clock.instant());
        // the watch is set up in the background: a step never waits for it
        network.aios.server.KubeTestCluster.await(
                () -> cluster.deploymentWatchers.size() == 1, Duration.ofSeconds(10), "the watch to start");

        cluster.notReady.clear();
        List.copyOf(cluster.deploymentWatchers).forEach(Runnable::run); // the Deployment became available
        assertThat(nudged).containsExactly(id);
        assertThat(store.job(job.id()).orElseThrow().nextRunAt()).isEqualTo(clock.instant());
        job = step(job);
        assertThat(job.state()).isEqualTo(JobState.READY);
        assertThat(cluster.deploymentWatchers)
                .as("the watch ends with the wait")
                .isEmpty();
        // a nudge for a job that no longer waits changes nothing
        assertThat(store.runNow(id, clock.instant())).isFalse();
    }

    @Test
    void aChangeTheWatchSeesWhileALookRunsMakesTheNextLookImmediate() throws Exception {
        steps = stepsNudging(key -> store.runNow(key, clock.instant()));
        InfraJob job = queued(JobKind.CREATE);
        cluster.notReady.add("aios-mgmt (0/1 available)");
        while (job.state() != JobState.WAITING_READY) {
            job = step(job);
        }
        job = step(job); // the first look starts the watch; the poll is the fallback
        assertThat(job.nextRunAt()).isAfter(clock.instant());
        network.aios.server.KubeTestCluster.await(
                () -> cluster.deploymentWatchers.size() == 1, Duration.ofSeconds(10), "the watch to start");

        // the Deployment changes after the look read it and before the step saved its next look, which
        // overwrites the nudge: the step itself schedules the next look now
        cluster.duringNotReady = () -> List.copyOf(cluster.deploymentWatchers).forEach(Runnable::run);
        job = step(job);
        assertThat(job.state()).isEqualTo(JobState.WAITING_READY);
        assertThat(job.nextRunAt()).isEqualTo(clock.instant());

        // a look with no change meanwhile waits for the poll again
        cluster.duringNotReady = () -> {};
        job = step(job);
        assertThat(job.nextRunAt()).isAfter(clock.instant());
    }

    @Test
    void transientFailuresAreRetriedWithBackoffThenFailTheJob() throws Exception {
        InfraJob job = queued(JobKind.CREATE);
        cluster.failures.add(FakeClusterOps.answer(503, "unavailable"));
        job = step(job);
        assertThat(job.state()).isEqualTo(JobState.PENDING);
        assertThat(job.reason()).isEqualTo(JobReason.RETRYING);
        assertThat(job.attempts()).isEqualTo(1);
        assertThat(job.nextRunAt()).isAfter(clock.instant());
        job = step(job); // the retry goes through: the run of failures ends
        assertThat(job.state()).isEqualTo(JobState.BOOTSTRAPPING);
        assertThat(job.attempts()).isZero();
        for (int i = 0; i < RETRY.maxAttempts(); i++) {
            cluster.failures.add(FakeClusterOps.answer(0, "connection refused"));
        }
        job = runToEnd(job);
        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.reason()).isEqualTo(JobReason.UNREACHABLE);
        assertThat(new ClusterStore(db).get(id).orElseThrow().status()).isEqualTo("failed");
    }

    @Test
    void anAnswerThatWillNotChangeFailsAtOnceNamingTheClass() throws Exception {
        cluster.failures.add(FakeClusterOps.answer(403, "forbidden"));
        InfraJob forbidden = step(queued(JobKind.CREATE));
        assertThat(forbidden.state()).isEqualTo(JobState.FAILED);
        assertThat(forbidden.reason()).isEqualTo(JobReason.FORBIDDEN);
        assertThat(forbidden.message()).contains("403");
        assertThat(forbidden.adminSealed())
                .as("a finished job keeps no kubeconfig")
                .isNull();
    }

    @Test
    void anEgressRefusalIsThePolicyNotAnOutageItFailsAtOnceWithTheOperatorsRemedy() throws Exception {
        cluster.failures.add(new io.fabric8.kubernetes.client.KubernetesClientException(
                "Operation: [get]  for kind: [Version] failed",
                new network.aios.egress.EgressRefusedException(
                        "127.0.0.1", java.net.InetAddress.getLoopbackAddress(), "it is a loopback address")));
        InfraJob refused = step(queued(JobKind.CREATE));
        assertThat(refused.state()).isEqualTo(JobState.FAILED);
        assertThat(refused.reason()).isEqualTo(JobReason.EGRESS_REFUSED);
        assertThat(refused.message()).contains("it is a loopback address", "--egress-allow");
        assertThat(refused.attempts()).as("not retried").isZero();
    }

    @Test
    void aShutdownMidStepRepeatsTheStepWithoutCountingIt() throws Exception {
        cluster.failures.add(
                new io.fabric8.kubernetes.client.KubernetesClientException("interrupted", new InterruptedException()));
        InfraJob job = step(queued(JobKind.CREATE));
        assertThat(job.state()).isEqualTo(JobState.PENDING);
        assertThat(job.reason()).isEqualTo(JobReason.INTERRUPTED);
        assertThat(job.attempts()).isZero();
    }

    @Test
    void aResyncRecreatesWhatWasDeletedRevertsWhatWasEditedAndSaysSo() throws Exception {
        ready();
        cluster.remove("Service", "aios-mgmt");
        cluster.edit("Deployment", "aios-controller");
        cluster.calls.clear();
        InfraJob resync = runToEnd(queued(JobKind.RESYNC));
        assertThat(resync.state()).isEqualTo(JobState.READY);
        assertThat(resync.reason()).isEqualTo(JobReason.RESYNCED);
        assertThat(resync.message())
                .contains("Service aios-system/aios-mgmt recreated", "Deployment aios-system/aios-controller reverted");
        assertThat(resync.receipt().path("repaired")).hasSize(2);
        assertThat(cluster.has("Service", "aios-mgmt")).isTrue();
        assertThat(cluster.calls).noneMatch(c -> c.equals("version")); // no owner's kubeconfig is involved
    }

    @Test
    void aResyncThatRollsOutAChangedDesiredStateSaysUpdatedNotReverted() throws Exception {
        ready();
        // the owner edits the registration: the cluster's ConfigMap is to change, nobody touched the cluster
        ClusterStore clusters = new ClusterStore(db);
        ClusterRecord r = clusters.get(id).orElseThrow();
        ObjectNode doc = r.document().deepCopy();
        ((ObjectNode) doc.get("config"))
                .put("useGateway", !doc.at("/config/useGateway").asBoolean());
        clusters.update(
                        new ClusterRecord(
                                id,
                                r.owner(),
                                r.status(),
                                r.requestedStatus(),
                                doc,
                                r.version() + 1,
                                r.createdAt(),
                                clock.instant(),
                                r.policyAction(),
                                r.policyVersion(),
                                r.reputation()),
                        r.version(),
                        "admin")
                .orElseThrow();
        cluster.edit("Deployment", "aios-controller"); // and someone edits a Deployment on the cluster

        InfraJob resync = runToEnd(queued(JobKind.RESYNC));
        assertThat(resync.state()).isEqualTo(JobState.READY);
        assertThat(resync.message())
                .contains("updated 1 (ConfigMap aios-system/aios-cluster)")
                .contains("Deployment aios-system/aios-controller reverted")
                .doesNotContain("ConfigMap aios-system/aios-cluster reverted");
        assertThat(resync.receipt().path("repaired")).hasSize(1);
        assertThat(resync.receipt().path("updated")).hasSize(1);
    }

    @Test
    void aResyncThatFindsEverythingInPlaceChangesNothingAndSaysSo() throws Exception {
        ready();
        InfraJob applying = queued(JobKind.RESYNC);
        while (applying.state() != JobState.WAITING_READY) {
            applying = step(applying);
        }
        assertThat(applying.message()).matches("applied (\\d+) objects \\(\\1 unchanged\\)");
        InfraJob resync = runToEnd(applying);
        assertThat(resync.state()).isEqualTo(JobState.READY);
        assertThat(resync.receipt()).as("JobRunner forgets such a job").isNull();
        assertThat(resync.message()).isEqualTo("nothing to repair");
    }

    @Test
    void applyPrunesWhatTheDesiredStateNoLongerHasButNotTheBootstrapIdentity() throws Exception {
        ready();
        int before = store.inventory().list(id).size();
        // an earlier version made one more object in the services' range
        store.inventory()
                .recordIntents(
                        id,
                        List.of(new network.aios.store.InventoryStore.Intent(
                                InfraSteps.SERVICES_SEQ + 90, "v1", "ConfigMap", "aios-system", "aios-obsolete")),
                        clock.instant());
        cluster.apply(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                .withNewMetadata()
                .withName("aios-obsolete")
                .withNamespace("aios-system")
                .withLabels(network.aios.member.desired.InfraNames.labels(id)) // as an earlier version labelled it
                .endMetadata()
                .build());
        InfraJob resync = runToEnd(queued(JobKind.RESYNC));
        assertThat(resync.receipt().path("pruned").toString()).contains("ConfigMap aios-system/aios-obsolete");
        assertThat(cluster.has("ConfigMap", "aios-obsolete")).isFalse();
        assertThat(store.inventory().list(id)).hasSize(before);
        assertThat(cluster.has("ServiceAccount", "aios-control-plane"))
                .as("bootstrap objects are not pruned")
                .isTrue();
    }

    /** A gateway route of the cluster's, as GatewayRouteService stores it. */
    void route(String routeId) {
        new GatewayRouteStore(db)
                .insert(new GatewayRouteStore.Route(
                        id,
                        "task",
                        routeId,
                        "/tasks/" + routeId + "/",
                        "inference.default:8080",
                        "admin",
                        clock.instant()));
    }

    @Test
    void aResyncRecreatesADeletedRouteMappingAndPrunesOneWhoseRouteIsGoneEvenUnrecorded() throws Exception {
        ready();
        route("kept");
        runToEnd(queued(JobKind.RESYNC));
        assertThat(cluster.has("Mapping", "aios-route-task-kept")).isTrue();
        cluster.remove("Mapping", "aios-route-task-kept");
        // a route Mapping of ours that no inventory knows (a removal raced a resync)
        cluster.apply(new network.aios.member.desired.GatewayRoute(
                        network.aios.member.desired.GatewayRoute.Kind.fromWire("task"), "gone", "x.y:1")
                .mapping(id));

        InfraJob resync = runToEnd(queued(JobKind.RESYNC));
        assertThat(resync.state()).isEqualTo(JobState.READY);
        assertThat(resync.message())
                .contains(
                        "Mapping aios-system/aios-route-task-kept recreated",
                        "Mapping aios-system/aios-route-task-gone");
        assertThat(cluster.has("Mapping", "aios-route-task-kept")).isTrue();
        assertThat(cluster.has("Mapping", "aios-route-task-gone")).isFalse();
        assertThat(cluster.has("Mapping", "aios-controller"))
                .as("the services' own Mappings are not routes")
                .isTrue();
    }

    @Test
    void aRouteTheGatewayRefusesIsRecordedAndDoesNotFailTheApply() throws Exception {
        ready();
        route("refused");
        cluster.failing.put("apply Mapping aios-system/aios-route-", FakeClusterOps.answer(422, "webhook said no"));
        InfraJob resync = runToEnd(queued(JobKind.RESYNC));
        assertThat(resync.state()).isEqualTo(JobState.READY);
        assertThat(resync.receipt().path("failed").toString())
                .contains("Mapping aios-system/aios-route-task-refused", "422");
        // the same refusal again: reported once, not by every resync (this one leaves no receipt, so no job)
        InfraJob again = runToEnd(queued(JobKind.RESYNC));
        assertThat(again.state()).isEqualTo(JobState.READY);
        assertThat(again.receipt()).isNull();
        assertThat(again.message()).isEqualTo("nothing to repair");
        // a transient answer is still retried, not recorded
        cluster.failing.put("apply Mapping aios-system/aios-route-", FakeClusterOps.answer(503, "busy"));
        InfraJob retried = queued(JobKind.RESYNC);
        for (int i = 0; i < 10 && retried.reason() != JobReason.RETRYING && !retried.finished(); i++) {
            retried = step(retried);
        }
        assertThat(retried.reason()).isEqualTo(JobReason.RETRYING);
        assertThat(retried.receipt() == null ? "" : retried.receipt().toString())
                .doesNotContain("busy");
    }

    @Test
    void aResyncWithoutTheControlPlanesCredentialFailsWithoutMarkingTheClusterFailed() throws Exception {
        InfraJob resync = runToEnd(queued(JobKind.RESYNC));
        assertThat(resync.state()).isEqualTo(JobState.FAILED);
        assertThat(resync.reason()).isEqualTo(JobReason.NO_CREDENTIAL);
        assertThat(new ClusterStore(db).get(id).orElseThrow().status()).isEqualTo("registered");
    }

    @Test
    void removalDeletesWhatWasRecordedAndEndsWithAReceipt() throws Exception {
        ready();
        cluster.remove("Service", "aios-metrics"); // someone removed it already
        cluster.namespaceGone = false;
        InfraJob removal = queued(JobKind.REMOVE);
        removal = step(removal);
        assertThat(removal.state()).isEqualTo(JobState.WAITING_NAMESPACE);
        removal = step(removal);
        assertThat(removal.state()).as("the namespace is still terminating").isEqualTo(JobState.WAITING_NAMESPACE);
        cluster.namespaceGone = true;
        removal = runToEnd(removal);
        assertThat(removal.state()).isEqualTo(JobState.REMOVED);
        assertThat(removal.receipt().path("clean").asBoolean()).isTrue();
        assertThat(removal.receipt().path("items").toString()).contains("\"already_gone\"", "\"deleted\"");
        assertThat(store.inventory().list(id)).isEmpty();
        assertThat(store.credentials().get(id)).isEmpty();
        assertThat(new ClusterStore(db).get(id).orElseThrow().status()).isEqualTo("registered");
    }
}
