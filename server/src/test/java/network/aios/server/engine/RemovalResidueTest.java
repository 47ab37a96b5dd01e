package network.aios.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import network.aios.member.desired.InfraNames;
import network.aios.store.InfraJob;
import network.aios.store.JobKind;
import network.aios.store.JobReason;
import network.aios.store.JobState;
import org.junit.jupiter.api.Test;

/**
 * A removal that cannot take everything says exactly what it left and why ({@code RemovedWithResiduals}), and
 * one that could not see the end does not claim it did: no credential left, a namespace stuck terminating, an
 * object the cluster refuses to delete, the control plane's access gone with its namespace.
 */
class RemovalResidueTest extends StepsFixture {
    private static final String NS = "Namespace " + InfraNames.NAMESPACE;

    private static String item(InfraJob removal, String object) {
        return OwnershipStepsTest.item(removal, object);
    }

    /** Every object the receipt names with its outcome, in order. */
    private static List<String> outcomes(InfraJob removal) {
        List<String> out = new java.util.ArrayList<>();
        removal.receipt().path("items").forEach(i -> out.add(i.path("outcome").asString()));
        return out;
    }

    @Test
    void withNoCredentialLeftEveryRecordedObjectIsNamedAsLeftAndNothingIsTouched() throws Exception {
        ready();
        int recorded = store.inventory().list(id).size();
        int objects = cluster.objects.size();
        store.credentials().drop(id); // the control plane's own credential is gone, and no kubeconfig is given
        cluster.calls.clear();

        InfraJob removal = runToEnd(queued(JobKind.REMOVE, id, false));

        assertThat(removal.state()).isEqualTo(JobState.REMOVED);
        assertThat(removal.reason()).isEqualTo(JobReason.REMOVED_WITH_RESIDUALS);
        assertThat(removal.receipt().path("clean").asBoolean(true)).isFalse();
        assertThat(outcomes(removal)).hasSize(recorded).containsOnly("residual");
        removal.receipt()
                .path("items")
                .forEach(i -> assertThat(i.path("reason").asString()).contains("pass kube_config_data"));
        assertThat(cluster.objects).hasSize(objects);
        assertThat(cluster.calls).isEmpty();
    }

    @Test
    void aNamespaceStuckTerminatingIsNamedAsLeftOnceTheWaitIsOver() throws Exception {
        ready();
        cluster.namespaceGone = false; // a finalizer keeps it terminating
        InfraJob removal = step(queued(JobKind.REMOVE));
        assertThat(removal.state()).isEqualTo(JobState.WAITING_NAMESPACE);
        removal = step(removal);
        assertThat(removal.finished()).as("still waiting within the timeout").isFalse();

        clock.now = clock.now.plus(RETRY.readyTimeout()).plus(Duration.ofSeconds(1));
        removal = step(removal);

        assertThat(removal.reason()).isEqualTo(JobReason.REMOVED_WITH_RESIDUALS);
        assertThat(item(removal, NS)).isEqualTo("residual: still terminating after 300 s");
        assertThat(outcomes(removal).stream().filter("residual"::equals)).hasSize(1); // one item for the namespace
    }

    @Test
    void anObjectTheClusterRefusesToDeleteIsNamedWithTheRefusal() throws Exception {
        ready();
        cluster.failing.put(
                "delete Service aios-system/aios-mgmt",
                FakeClusterOps.answer(403, "services \"aios-mgmt\" is forbidden: denied by policy"));
        cluster.failing.put("delete Namespace", FakeClusterOps.answer(403, "namespaces is forbidden"));

        InfraJob removal = runToEnd(queued(JobKind.REMOVE));

        assertThat(removal.reason()).isEqualTo(JobReason.REMOVED_WITH_RESIDUALS);
        assertThat(item(removal, "Service aios-system/aios-mgmt"))
                .startsWith("residual: the cluster refused to delete it")
                .contains("403");
        // what it could delete, it did
        assertThat(item(removal, "Deployment aios-system/aios-mgmt")).isEqualTo("deleted");
        assertThat(item(removal, NS)).startsWith("residual: the cluster refused to delete it");
        assertThat(cluster.has("Service", "aios-mgmt")).isTrue();
    }

    @Test
    void anObjectRefusedAloneThatItsNamespaceTakesIsNotCalledLeft() throws Exception {
        ready();
        cluster.failing.put(
                "delete Service aios-system/aios-mgmt", FakeClusterOps.answer(403, "services is forbidden"));

        InfraJob removal = runToEnd(queued(JobKind.REMOVE));

        assertThat(removal.reason()).isEqualTo(JobReason.REMOVED);
        assertThat(item(removal, "Service aios-system/aios-mgmt")).startsWith("deleted_with_namespace: refused alone");
    }

    @Test
    void accessLostWithTheNamespaceIsSaidNotToBeSeen() throws Exception {
        ready();
        cluster.namespaceGone = false;
        InfraJob removal = step(queued(JobKind.REMOVE, id, false)); // the control plane's own credential
        assertThat(removal.state()).isEqualTo(JobState.WAITING_NAMESPACE);
        // the namespace controller deleted the control plane's token with the rest of the namespace
        cluster.failing.put("namespace", FakeClusterOps.answer(401, "Unauthorized"));

        removal = runToEnd(removal);

        assertThat(removal.reason()).isEqualTo(JobReason.REMOVED);
        var ns = removal.receipt()
                .path("items")
                .valueStream()
                .filter(i -> NS.equals(i.path("object").asString()))
                .findFirst()
                .orElseThrow();
        assertThat(ns.path("confirmed").asBoolean(true)).isFalse();
        assertThat(ns.path("reason").asString()).contains("access went with it");
    }

    /**
     * Something in the namespace was refused (a webhook that refuses it may hold the namespace too), then the
     * removal lost its access before seeing the namespace go: its end is not known, and the receipt is not clean.
     */
    @Test
    void aRefusalInTheNamespaceAndAccessLostIsNotCalledClean() throws Exception {
        ready();
        cluster.namespaceGone = false;
        cluster.failing.put("delete Service aios-system/aios-mgmt", FakeClusterOps.answer(403, "denied by a webhook"));
        InfraJob removal = step(queued(JobKind.REMOVE, id, false));
        assertThat(removal.state()).isEqualTo(JobState.WAITING_NAMESPACE);
        cluster.failing.put("namespace", FakeClusterOps.answer(401, "Unauthorized"));

        removal = runToEnd(removal);

        assertThat(removal.reason()).isEqualTo(JobReason.REMOVED_WITH_RESIDUALS);
        assertThat(item(removal, NS)).startsWith("unconfirmed");
    }
}
