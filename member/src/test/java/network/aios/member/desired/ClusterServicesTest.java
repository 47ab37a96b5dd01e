package network.aios.member.desired;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import network.aios.api.ClusterDocument;
import network.aios.api.ClusterValidator;
import network.aios.api.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class ClusterServicesTest {
    private static final Owner OWNER = Owner.cluster("cluster-west-vision-001", "abc123");
    private static final InfraSettings SETTINGS = InfraSettings.defaults("https://cp.example:8443");
    private static final AgentSecrets SECRETS = new AgentSecrets("tok", "cert", "key");

    static ClusterDocument seed(boolean gateway) throws Exception {
        ObjectNode doc =
                (ObjectNode) Json.MAPPER.readTree(Files.readAllBytes(Path.of("..", "examples", "cluster.json")));
        ((ObjectNode) doc.get("config")).put("useGateway", gateway);
        return ClusterDocument.of(new ClusterValidator().validate(doc).document());
    }

    private static List<GatewayRoute> routes() {
        return List.of(new GatewayRoute(GatewayRoute.Kind.TASK, "t1", "svc.ns:80"));
    }

    @Test
    void servicesThenRoutesEveryObjectStampedAndSelectedForPruning() throws Exception {
        DesiredSet set = ClusterServices.from(seed(true), SETTINGS, SECRETS, routes(), OWNER);
        assertThat(set.waves()).extracting(DesiredSet.Wave::name).containsExactly("services", "routes");
        assertThat(set.wave("routes").objects())
                .extracting(o -> o.getMetadata().getName())
                .containsExactly("aios-route-task-t1");
        for (HasMetadata o : set.objects()) {
            String what = o.getKind() + " " + o.getMetadata().getName();
            // the prune rule selects every object of the set, and nothing without this registration's stamp
            assertThat(Owner.stampOf(o)).as(what).contains(set.prune().stamp());
            assertThat(o.getMetadata().getLabels())
                    .as(what)
                    .containsAllEntriesOf(set.prune().selector());
            assertThat(o.getMetadata().getNamespace())
                    .as(what)
                    .isEqualTo(set.prune().namespace());
            assertThat(set.prune().kinds()).as(what).contains(new DesiredSet.Kind(o.getApiVersion(), o.getKind()));
        }
        assertThat(set.deployments()).containsExactly("aios-controller", "aios-metrics", "aios-blocks", "aios-mgmt");
    }

    @Test
    void withoutTheGatewayNoRoutesButMappingsStillPrunable() throws Exception {
        DesiredSet set = ClusterServices.from(seed(false), SETTINGS, SECRETS, routes(), OWNER);
        assertThat(set.wave("routes").objects()).isEmpty();
        assertThat(set.objects()).noneMatch(o -> o.getKind().equals("Mapping"));
        // a route Mapping left from when the gateway was on is still this registration's to prune
        assertThat(set.prune().kinds()).contains(new DesiredSet.Kind("getambassador.io/v3alpha1", "Mapping"));
    }

    @Test
    void theRevisionFollowsWhatWouldBeAppliedSecretsIncluded() throws Exception {
        ClusterDocument doc = seed(true);
        String r = ClusterServices.from(doc, SETTINGS, SECRETS, routes(), OWNER).revision();
        assertThat(ClusterServices.from(doc, SETTINGS, SECRETS, routes(), OWNER).revision())
                .as("same inputs, same revision")
                .isEqualTo(r);
        assertThat(ClusterServices.from(doc, SETTINGS, new AgentSecrets("tok2", "cert", "key"), routes(), OWNER)
                        .revision())
                .as("a rotated token")
                .isNotEqualTo(r);
        assertThat(ClusterServices.from(doc, SETTINGS, SECRETS, List.of(), OWNER)
                        .revision())
                .as("a route gone")
                .isNotEqualTo(r);
    }

    @Test
    void theWireFormCarriesWavesPruneAndDeployments() throws Exception {
        DesiredSet set = ClusterServices.from(seed(true), SETTINGS, SECRETS, routes(), OWNER);
        JsonNode wire = set.toJson();
        assertThat(wire.get("revision").asString()).isEqualTo(set.revision());
        assertThat(wire.at("/waves/0/objects").size())
                .isEqualTo(set.wave("services").objects().size());
        assertThat(wire.at("/waves/1/objects/0/spec/prefix").asString()).isEqualTo("/tasks/t1/");
        assertThat(wire.at("/prune/selector/" + InfraNames.CLUSTER_LABEL.replace("/", "~1"))
                        .asString())
                .isEqualTo("cluster-west-vision-001");
        assertThat(wire.at("/prune/stamp").asString()).isEqualTo(OWNER.stamp());
        assertThat(wire.get("deployments").size()).isEqualTo(4);
    }
}
