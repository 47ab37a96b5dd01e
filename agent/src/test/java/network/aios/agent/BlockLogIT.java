package network.aios.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.util.List;
import network.aios.api.Json;
import network.aios.server.KubeTestCluster;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** The blocks log is a ring of named segments: past its size the oldest start again, in order, on a real API server. */
class BlockLogIT {
    @Test
    void theRingKeepsTheLatestEntriesInOrderAcrossAWrap() {
        KubeTestCluster kube = KubeTestCluster.shared();
        String ns = "blocklog-ring-" + Long.toHexString(System.nanoTime());
        kube.admin
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(ns)
                        .endMetadata()
                        .build())
                .create();
        try {
            BlockLog log = new BlockLog(kube.admin, ns, 2, 3); // 3 segments of 2: the latest 5 or 6 entries stay
            for (int seq = 1; seq <= 11; seq++) {
                ObjectNode e = Json.object().put("seq", seq).put("kind", "scaled");
                log.append(e);
            }
            List<Long> kept = new BlockLog(kube.admin, ns, 2, 3)
                    .load().stream().map(n -> n.get("seq").asLong()).toList();
            assertThat(kept).containsExactly(7L, 8L, 9L, 10L, 11L);
            assertThat(kube.admin
                            .configMaps()
                            .inNamespace(ns)
                            .withLabel(BlockLog.LABEL)
                            .list()
                            .getItems())
                    .extracting(c -> c.getMetadata().getName())
                    .containsExactlyInAnyOrder(
                            "aios-blocks-log-000001", "aios-blocks-log-000002", "aios-blocks-log-000003");
            // a restarted writer continues after the newest entry, not after the highest segment name
            BlockLog again = new BlockLog(kube.admin, ns, 2, 3);
            again.load();
            again.append(Json.object().put("seq", 12).put("kind", "scaled"));
            assertThat(again.load().stream().map(n -> n.get("seq").asLong()).toList())
                    .containsExactly(7L, 8L, 9L, 10L, 11L, 12L);
        } finally {
            kube.admin.namespaces().withName(ns).delete();
        }
    }
}
