package network.aios.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import network.aios.cli.DocumentDraft.Placeholder;
import tools.jackson.databind.JsonNode;

/**
 * {@link DocumentDraft}'s placeholders as they are found, merged per field over the nodes that lack it: the
 * cluster's fields first, then the nodes' ({@code /nodes/nodeData/*...}).
 */
final class DraftPlaceholders {
    private final List<String> ids;
    private final Map<String, String> what = new LinkedHashMap<>();
    private final Map<String, List<Integer>> nodes = new LinkedHashMap<>();

    DraftPlaceholders(List<String> ids) {
        this.ids = ids;
    }

    String cluster(String path, String value, String description) {
        what.put(path, description);
        nodes.put(path, List.of());
        return value;
    }

    JsonNode clusterJson(String path, JsonNode value, String description) {
        cluster(path, null, description);
        return value;
    }

    void node(int index, String field, String description) {
        String key = "/nodes/nodeData/*" + field;
        what.putIfAbsent(key, description);
        nodes.computeIfAbsent(key, k -> new ArrayList<>()).add(index);
    }

    /** The cluster's fields first, then the nodes'. */
    private List<Map.Entry<String, List<Integer>>> ordered() {
        List<Map.Entry<String, List<Integer>>> out = new ArrayList<>();
        nodes.entrySet().stream().filter(e -> e.getValue().isEmpty()).forEach(out::add);
        nodes.entrySet().stream().filter(e -> !e.getValue().isEmpty()).forEach(out::add);
        return out;
    }

    /** Per field: {@code *} when every node lacks it, else the pointer of each node that does. */
    List<String> pointers() {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, List<Integer>> e : ordered()) {
            List<Integer> at = e.getValue();
            if (at.isEmpty() || at.size() == ids.size()) {
                out.add(e.getKey());
            } else {
                at.forEach(i -> out.add(e.getKey().replaceFirst("/\\*", "/" + i)));
            }
        }
        return out;
    }

    List<Placeholder> merged() {
        List<Placeholder> out = new ArrayList<>();
        ordered()
                .forEach(e -> out.add(new Placeholder(
                        e.getKey(),
                        what.get(e.getKey()),
                        e.getValue().stream().map(ids::get).toList())));
        return out;
    }
}
