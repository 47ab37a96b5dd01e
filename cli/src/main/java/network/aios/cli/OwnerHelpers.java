package network.aios.cli;

import io.fabric8.kubernetes.api.model.Node;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import network.aios.api.ClusterValidator;
import network.aios.api.DocumentParser;
import network.aios.api.FieldError;
import network.aios.api.Json;
import network.aios.api.MalformedDocumentException;
import network.aios.api.Names;
import network.aios.member.NodeInventory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/**
 * The owner's helpers, run against the owner's own cluster with their kubeconfig ({@link OwnerCluster}); nothing is
 * sent to the control plane. {@code aios cluster init} writes the cluster document ({@link DocumentDraft});
 * {@code aios cluster label-nodes} gives the nodes the {@code nodeID} labels a document names ({@link
 * NodeLabelPlan}).
 */
final class OwnerHelpers {
    private OwnerHelpers() {}

    @Command(
            name = "init",
            mixinStandardHelpOptions = true,
            description = {
                "Write the cluster document from the live cluster, to standard output: nodes (id from the nodeID "
                        + "label, else the node's name), GPUs (nvidia.com/gpu and GPU feature discovery's labels), "
                        + "vCPUs, memory and storage in MB, versions, totals.",
                "What Kubernetes does not know is a placeholder that still validates (FILL-IN, zeros); standard "
                        + "error lists them. The kubeconfig is read here, as kubectl reads it; nothing is sent to the "
                        + "control plane."
            })
    static final class Init implements Callable<Integer> {
        @Option(names = "--kubeconfig", required = true, description = "Your cluster's kubeconfig (read locally).")
        Path kubeconfig;

        @Option(names = "--id", description = "The cluster's id (a DNS-1123 label); else a placeholder.")
        String id;

        @Option(
                names = "--region",
                description = "The cluster's regionId; else the nodes' " + DocumentDraft.REGION_LABEL
                        + " label when they agree, else a placeholder.")
        String region;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (id != null && !Names.isDns1123Label(id)) {
                throw new CliException(
                        "--id " + id + ": must be a DNS-1123 label (lower-case letters, digits and '-', at most 63)",
                        2);
            }
            if (region != null && region.isBlank()) {
                throw new CliException("--region must not be empty", 2);
            }
            List<Node> nodes;
            String kubeadm;
            try (OwnerCluster cluster = OwnerCluster.open(kubeconfig)) {
                nodes = cluster.nodes();
                kubeadm = cluster.kubeadmVersion();
            }
            if (nodes.isEmpty()) {
                throw new CliException("the cluster has no nodes: a cluster document lists at least one", 1);
            }
            DocumentDraft.Draft draft = DocumentDraft.build(new DocumentDraft.Facts(id, region, kubeadm), nodes);
            PrintWriter err = spec.commandLine().getErr();
            ClusterValidator.Result checked = new ClusterValidator().validate(draft.document());
            if (!checked.valid()) { // a bug of ours: say so rather than write a document the server refuses
                err.println("error: the document written does not validate (please report it):");
                checked.errors().forEach(e -> err.println("  " + e.path() + ": " + e.message()));
                return 1;
            }
            spec.commandLine().getOut().println(Json.pretty(draft.document()));
            spec.commandLine().getOut().flush();
            report(err, draft);
            return 0;
        }

        private static void report(PrintWriter err, DocumentDraft.Draft draft) {
            JsonNode doc = draft.document();
            TreeSet<String> models = new TreeSet<>();
            doc.at("/nodes/nodeData").forEach(n -> n.at("/gpus/modelNames").forEach(m -> models.add(m.asString())));
            models.remove(DocumentDraft.GPU_MODEL_PLACEHOLDER);
            err.println("cluster " + doc.path("id").asString() + ": " + doc.at("/nodes/count") + " nodes, "
                    + doc.at("/gpus/count") + " GPUs" + (models.isEmpty() ? "" : " (" + String.join(", ", models) + ")")
                    + ", " + doc.at("/vcpus/count") + " vCPUs, " + doc.path("memory") + " MB of memory");
            int nodes = doc.at("/nodes/count").asInt();
            err.println("to fill in before registering (\"" + DocumentDraft.FILL_IN + "\" strings, zeros and empty "
                    + "lists; listed in the document at /clusterMetadata/additionalInfo/placeholders, remove that "
                    + "list when done):");
            for (DocumentDraft.Placeholder p : draft.placeholders()) {
                String where = p.nodes().isEmpty()
                        ? ""
                        : p.nodes().size() == nodes && nodes > 1
                                ? " (every node)"
                                : " (node" + (p.nodes().size() > 1 ? "s " : " ") + String.join(", ", p.nodes()) + ")";
                err.println(String.format("  %-40s %s%s", p.path(), p.what(), where));
            }
            if (!draft.notes().isEmpty()) {
                err.println("notes:");
                draft.notes().forEach(n -> err.println("  " + n));
            }
            err.println("then: aios cluster validate -f FILE; aios cluster label-nodes -f FILE --kubeconfig KC");
            err.flush();
        }
    }

    @Command(
            name = "label-nodes",
            mixinStandardHelpOptions = true,
            description = {
                "Label the cluster's nodes with the nodeID the document gives them. A document node is matched by "
                        + "--map, by a node already labelled with its id, or by a node whose name is its id.",
                "Shows the changes first; refuses, changing nothing, to give a nodeID another node has; names the "
                        + "document nodes with no match (exit 1, the others labelled). The kubeconfig is read here, "
                        + "as kubectl reads it; nothing is sent to the control plane."
            })
    static final class LabelNodes implements Callable<Integer> {
        private static final Pattern NODE_ID_ERROR = Pattern.compile("(/nodes(/nodeData(/\\d+(/id)?)?)?)?");

        @Option(
                names = {"-f", "--file"},
                required = true,
                description = "Cluster document (JSON, comments allowed).")
        Path file;

        @Option(names = "--kubeconfig", required = true, description = "Your cluster's kubeconfig (read locally).")
        Path kubeconfig;

        @Option(names = "--dry-run", description = "Show the changes; change nothing.")
        boolean dryRun;

        @Option(
                names = "--map",
                paramLabel = "NODE=ID",
                description = "Repeatable: give Kubernetes node NODE the document's node ID.")
        Map<String, String> map;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            List<String> ids = documentIds(err);
            try (OwnerCluster cluster = OwnerCluster.open(kubeconfig)) {
                List<NodeLabelPlan.ClusterNode> nodes = cluster.nodes().stream()
                        .map(n -> new NodeLabelPlan.ClusterNode(
                                n.getMetadata().getName(),
                                DocumentDraft.labels(n).get(NodeInventory.NODE_ID_LABEL)))
                        .toList();
                NodeLabelPlan.Plan plan;
                try {
                    plan = NodeLabelPlan.plan(ids, nodes, map == null ? Map.of() : map);
                } catch (IllegalArgumentException e) {
                    throw new CliException(e.getMessage(), 2);
                }
                for (NodeLabelPlan.Match m : plan.matches()) {
                    String from = m.from() == null ? "<none>" : m.from();
                    out.println(
                            m.node() + ": nodeID " + (m.changes() ? from + " -> " + m.to() : m.to() + " (unchanged)"));
                }
                out.flush();
                if (plan.refused()) {
                    err.println("refused, nothing changed:");
                    plan.refusals().forEach(r -> err.println("  " + r));
                    err.flush();
                    return 1;
                }
                if (!plan.unmatched().isEmpty()) {
                    err.println("no node matches document node"
                            + (plan.unmatched().size() > 1 ? "s " : " ")
                            + String.join(", ", plan.unmatched()) + ": name it in the document by its node name, "
                            + "label it, or give --map NODE=ID");
                }
                if (!plan.unlisted().isEmpty()) {
                    List<String> names = new ArrayList<>();
                    plan.unlisted().forEach((n, l) -> names.add(n + (l == null ? "" : " (nodeID " + l + ")")));
                    err.println("not in the document: " + String.join(", ", names));
                }
                err.flush();
                if (dryRun) {
                    out.println("dry run: " + plan.changes().size() + " node(s) would be labelled; nothing changed");
                } else {
                    for (NodeLabelPlan.Match m : plan.changes()) {
                        cluster.labelNodeId(m.node(), m.to());
                    }
                    out.println(plan.changes().size() + " node(s) labelled");
                }
                out.flush();
                return plan.unmatched().isEmpty() ? 0 : 1;
            }
        }

        /** The document's node ids; its node list must be usable, other mistakes are only mentioned. */
        private List<String> documentIds(PrintWriter err) {
            DocumentParser.Parsed parsed;
            try {
                parsed = DocumentParser.parse(ClusterCommands.read(file));
            } catch (MalformedDocumentException e) {
                throw new CliException(
                        file + ": not valid JSON: " + e.getMessage() + " (line " + e.line() + ", column " + e.column()
                                + ")",
                        1);
            }
            ClusterValidator.Result checked = new ClusterValidator().validate(parsed.document());
            List<String> fatal = new ArrayList<>();
            int others = 0;
            for (FieldError e : checked.errors()) {
                if (NODE_ID_ERROR.matcher(e.path()).matches()) {
                    fatal.add(e.prefixed(parsed.pointerPrefix()).path() + ": " + e.message());
                } else {
                    others++;
                }
            }
            if (!fatal.isEmpty()) {
                throw new CliException(file + ": its nodes cannot be labelled:\n  " + String.join("\n  ", fatal), 1);
            }
            if (others > 0) {
                err.println(file + " has " + others + " other error(s) (aios cluster validate -f " + file
                        + "); labelling its nodes all the same");
            }
            List<String> ids = new ArrayList<>();
            checked.document()
                    .at("/nodes/nodeData")
                    .forEach(n -> ids.add(n.path("id").asString()));
            return ids;
        }
    }
}
