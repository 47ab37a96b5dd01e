package network.aios.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import network.aios.api.Json;
import tools.jackson.databind.JsonNode;

/** Printing results as JSON, YAML or an aligned table. */
final class Output {
    private Output() {}

    static void print(PrintWriter out, JsonNode value, String format) {
        switch (format) {
            case "yaml" -> out.print(Json.yaml(value));
            case "json" -> out.println(Json.pretty(value));
            default -> throw new CliException("unknown output format '" + format + "': use json or yaml", 2);
        }
        out.flush();
    }

    static void table(PrintWriter out, List<String> header, List<List<String>> rows) {
        int[] width = new int[header.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (List<String> row : all) {
            for (int i = 0; i < row.size(); i++) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        for (List<String> row : all) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                sb.append(i == row.size() - 1 ? row.get(i) : String.format("%-" + (width[i] + 3) + "s", row.get(i)));
            }
            out.println(sb.toString().stripTrailing());
        }
        out.flush();
    }
}
