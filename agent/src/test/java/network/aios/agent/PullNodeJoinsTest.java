package network.aios.agent;

import static org.assertj.core.api.Assertions.assertThat;

import network.aios.member.desired.NodeJoin;
import org.junit.jupiter.api.Test;

/** The pull agent reads the desired state's {@code nodeJoins} leniently, and reports only a cluster info kubeadm takes. */
class PullNodeJoinsTest {
    private static final String HASH = "sha256:" + "ab".repeat(32);

    @Test
    void aDesiredStateWithoutNodeJoinsAsksNothing() {
        PullDesired d = PullDesired.parse("{\"clusterId\": \"c\", \"revision\": \"r\", \"waves\": []}");
        assertThat(d.nodeJoins().isEmpty()).isTrue();
        assertThat(PullDesired.parse("{\"nodeJoins\": null}").nodeJoins().isEmpty())
                .isTrue();
    }

    @Test
    void nodeJoinsAreRead() {
        PullDesired d = PullDesired.parse("""
                {"clusterId": "c", "revision": "r", "waves": [],
                 "nodeJoins": {"create": [{"apiVersion": "v1", "kind": "Secret",
                                           "metadata": {"name": "bootstrap-token-abc123"}}],
                               "delete": [{"namespace": "kube-system", "name": "bootstrap-token-def456",
                                           "uid": "u", "resourceVersion": "7", "later": "ignored"}],
                               "later": true}}""");
        assertThat(d.nodeJoins().create()).hasSize(1);
        assertThat(d.nodeJoins().create().get(0).at("/metadata/name").asString())
                .isEqualTo("bootstrap-token-abc123");
        assertThat(d.nodeJoins().delete())
                .containsExactly(new PullNodeJoins.Delete("kube-system", "bootstrap-token-def456", "u", "7"));
        assertThat(PullDesired.parse("{\"nodeJoins\": {\"create\": null}}")
                        .nodeJoins()
                        .isEmpty())
                .isTrue();
    }

    @Test
    void clusterInfoAsTheControlPlaneTakesIt() {
        assertThat(PullNodeJoins.wellFormed(new NodeJoin.ClusterInfo("10.0.0.1:6443", HASH)))
                .contains(new NodeJoin.ClusterInfo("10.0.0.1:6443", HASH));
        assertThat(PullNodeJoins.wellFormed(new NodeJoin.ClusterInfo("api.example.com", HASH)))
                .as("no port in the server URL: https's")
                .contains(new NodeJoin.ClusterInfo("api.example.com:443", HASH));
        assertThat(PullNodeJoins.wellFormed(new NodeJoin.ClusterInfo("[fd00::1]", HASH)))
                .contains(new NodeJoin.ClusterInfo("[fd00::1]:443", HASH));
        assertThat(PullNodeJoins.wellFormed(new NodeJoin.ClusterInfo("user@host:6443", HASH)))
                .isEmpty();
        assertThat(PullNodeJoins.wellFormed(new NodeJoin.ClusterInfo("10.0.0.1:6443", "sha256:AB")))
                .isEmpty();
    }
}
