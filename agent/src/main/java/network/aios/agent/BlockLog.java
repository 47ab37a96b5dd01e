package network.aios.agent;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import network.aios.api.Json;
import network.aios.member.desired.InfraNames;
import tools.jackson.databind.node.ObjectNode;

/**
 * The block transactions log, kept on the cluster itself so it outlives the agent: ConfigMaps in the
 * agent's namespace ({@code aios-blocks-log-000001} … {@code -000050}), each a segment of up to
 * {@value #SEGMENT} entries, one key per entry. The segments are a ring: once all are full the oldest is
 * started again, so the log keeps the latest 10,000 entries and the blocks identity may update exactly
 * these ConfigMaps by name (none other in the namespace, such as the control plane's settings). One
 * writer (the blocks Deployment has one replica); an update that loses a race re-reads and retries.
 */
final class BlockLog {
    static final int SEGMENT = 200;
    static final String LABEL = "aios.network/blocks-log";
    private final KubernetesClient kube;
    private final String namespace;
    private final int segmentSize;
    private final int segments;
    private ConfigMap current;

    BlockLog(KubernetesClient kube, String namespace) {
        this(kube, namespace, SEGMENT, InfraNames.BLOCK_LOG_SEGMENTS);
    }

    /** A smaller ring (tests); the product's matches the names its RBAC lets it update. */
    BlockLog(KubernetesClient kube, String namespace, int segmentSize, int segments) {
        this.kube = kube;
        this.namespace = namespace;
        this.segmentSize = segmentSize;
        this.segments = segments;
    }

    /** Every entry, oldest first (by sequence: after a wrap, names are no longer in order). */
    synchronized List<ObjectNode> load() {
        List<ConfigMap> segments = new ArrayList<>(
                kube.configMaps().inNamespace(namespace).withLabel(LABEL).list().getItems());
        List<ObjectNode> out = new ArrayList<>();
        current = null;
        String newestKey = "";
        for (ConfigMap c : segments) {
            for (Map.Entry<String, String> e :
                    new TreeMap<>(c.getData() == null ? Map.<String, String>of() : c.getData()).entrySet()) {
                out.add((ObjectNode) Json.MAPPER.readTree(e.getValue()));
                if (e.getKey().compareTo(newestKey) > 0) { // keys are e-<seq>, zero-padded
                    newestKey = e.getKey();
                    current = c;
                }
            }
        }
        if (current == null && !segments.isEmpty()) {
            current = segments.stream()
                    .min(Comparator.comparing(c -> c.getMetadata().getName()))
                    .get();
        }
        out.sort(Comparator.comparingLong(n -> n.path("seq").asLong()));
        return out;
    }

    /** Appends one entry (its {@code seq} names its key). */
    synchronized void append(ObjectNode entry) {
        String key = String.format("e-%09d", entry.get("seq").asLong());
        String value = Json.MAPPER.writeValueAsString(entry);
        for (int attempt = 0; ; attempt++) {
            try {
                if (current == null
                        || current.getData() != null && current.getData().size() >= segmentSize) {
                    String name = segmentName(current);
                    ConfigMap fresh = new ConfigMapBuilder()
                            .withNewMetadata()
                            .withName(name)
                            .withNamespace(namespace)
                            .withLabels(Map.of(LABEL, "segment", "app.kubernetes.io/managed-by", "aios-agent"))
                            .endMetadata()
                            .withData(Map.of(key, value))
                            .build();
                    ConfigMap existing = kube.configMaps()
                            .inNamespace(namespace)
                            .withName(name)
                            .get();
                    if (existing == null) {
                        current = kube.configMaps()
                                .inNamespace(namespace)
                                .resource(fresh)
                                .create();
                    } else { // the ring came round: the oldest segment starts again
                        fresh.getMetadata()
                                .setResourceVersion(existing.getMetadata().getResourceVersion());
                        current = kube.configMaps()
                                .inNamespace(namespace)
                                .resource(fresh)
                                .update();
                    }
                    return;
                }
                Map<String, String> data =
                        new LinkedHashMap<>(current.getData() == null ? Map.of() : current.getData());
                data.put(key, value);
                ConfigMap next = new ConfigMapBuilder(current).withData(data).build();
                current =
                        kube.configMaps().inNamespace(namespace).resource(next).update();
                return;
            } catch (KubernetesClientException e) {
                if ((e.getCode() != 409) || attempt >= 5) {
                    throw e;
                }
                load(); // someone else wrote (or the segment exists already): read again
            }
        }
    }

    private String segmentName(ConfigMap last) {
        int n = last == null
                ? 0
                : Integer.parseInt(last.getMetadata().getName().substring("aios-blocks-log-".length()));
        return InfraNames.blockLogSegment(n % segments + 1);
    }
}
