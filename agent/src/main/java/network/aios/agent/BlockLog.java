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
import tools.jackson.databind.node.ObjectNode;

/**
 * The block transactions log, kept on the cluster itself so it outlives the agent: ConfigMaps in the
 * agent's namespace ({@code aios-blocks-log-000001}, …), each a segment of up to {@value #SEGMENT}
 * entries, one key per entry. Entries are only ever added; a full segment is never written again.
 * One writer (the blocks Deployment has one replica); an update that loses a race re-reads and retries.
 */
final class BlockLog {
    static final int SEGMENT = 200;
    static final String LABEL = "aios.network/blocks-log";
    private final KubernetesClient kube;
    private final String namespace;
    private ConfigMap current;

    BlockLog(KubernetesClient kube, String namespace) {
        this.kube = kube;
        this.namespace = namespace;
    }

    /** Every entry, oldest first. */
    synchronized List<ObjectNode> load() {
        List<ConfigMap> segments = new ArrayList<>(kube.configMaps().inNamespace(namespace).withLabel(LABEL).list()
                .getItems());
        segments.sort(Comparator.comparing(c -> c.getMetadata().getName()));
        List<ObjectNode> out = new ArrayList<>();
        for (ConfigMap c : segments) {
            new TreeMap<>(c.getData() == null ? Map.<String, String>of() : c.getData()).values()
                    .forEach(v -> out.add((ObjectNode) Json.MAPPER.readTree(v)));
        }
        current = segments.isEmpty() ? null : segments.get(segments.size() - 1);
        return out;
    }

    /** Appends one entry (its {@code seq} names its key). */
    synchronized void append(ObjectNode entry) {
        String key = String.format("e-%09d", entry.get("seq").asLong());
        String value = Json.MAPPER.writeValueAsString(entry);
        for (int attempt = 0; ; attempt++) {
            try {
                if (current == null || current.getData() != null && current.getData().size() >= SEGMENT) {
                    current = kube.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata()
                            .withName(segmentName(current)).withNamespace(namespace)
                            .withLabels(Map.of(LABEL, "segment", "app.kubernetes.io/managed-by", "aios-agent"))
                            .endMetadata().withData(Map.of(key, value)).build()).create();
                    return;
                }
                Map<String, String> data = new LinkedHashMap<>(current.getData() == null ? Map.of() : current.getData());
                data.put(key, value);
                ConfigMap next = new ConfigMapBuilder(current).withData(data).build();
                current = kube.configMaps().inNamespace(namespace).resource(next).update();
                return;
            } catch (KubernetesClientException e) {
                if ((e.getCode() != 409) || attempt >= 5) {
                    throw e;
                }
                load(); // someone else wrote (or the segment exists already): read again
            }
        }
    }

    private static String segmentName(ConfigMap last) {
        int n = last == null ? 0 : Integer.parseInt(last.getMetadata().getName().substring("aios-blocks-log-".length()));
        return String.format("aios-blocks-log-%06d", n + 1);
    }
}
