package network.aios.agent;

import java.time.Instant;
import tools.jackson.databind.JsonNode;

/** A metrics snapshot in the Prometheus text format, each sample with the snapshot's timestamp. */
final class Prometheus {
    private Prometheus() {}

    static String render(JsonNode s) {
        StringBuilder out = new StringBuilder();
        if (!s.hasNonNull("observedAt")) {
            return "# no snapshot yet\n";
        }
        long ts = Instant.parse(s.get("observedAt").asString()).toEpochMilli();
        out.append("# HELP aios_metrics_stale 1 if the snapshot is older than three collection intervals\n")
                .append("# TYPE aios_metrics_stale gauge\n")
                .append("aios_metrics_stale ")
                .append(s.path("stale").asBoolean() ? 1 : 0)
                .append(' ')
                .append(ts)
                .append('\n');
        String[][] series = {
            {"cpu", "capacity", "aios_node_cpu_capacity_cores"},
            {"cpu", "allocatable", "aios_node_cpu_allocatable_cores"},
            {"cpu", "requested", "aios_node_cpu_requested_cores"},
            {"cpu", "usage", "aios_node_cpu_usage_cores"},
            {"memoryMB", "capacity", "aios_node_memory_capacity_megabytes"},
            {"memoryMB", "allocatable", "aios_node_memory_allocatable_megabytes"},
            {"memoryMB", "requested", "aios_node_memory_requested_megabytes"},
            {"memoryMB", "usage", "aios_node_memory_usage_megabytes"},
            {"gpus", "capacity", "aios_node_gpu_capacity"},
            {"gpus", "requested", "aios_node_gpu_requested"}
        };
        for (String[] m : series) {
            out.append("# TYPE ").append(m[2]).append(" gauge\n");
            for (JsonNode n : s.path("nodes")) {
                JsonNode v = n.path(m[0]).path(m[1]);
                if (v.isNumber()) {
                    out.append(m[2])
                            .append("{node=\"")
                            .append(escape(n.path("name").asString("")))
                            .append("\",node_id=\"")
                            .append(escape(n.path("nodeId").asString("")))
                            .append("\"} ")
                            .append(v.asDouble())
                            .append(' ')
                            .append(ts)
                            .append('\n');
                }
            }
        }
        return out.toString();
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
