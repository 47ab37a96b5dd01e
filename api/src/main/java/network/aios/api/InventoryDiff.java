package network.aios.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Compares what a cluster's document declares with what its agent observed: which node ids exist,
 * and per node the GPU count and model, vCPUs and memory. Each difference is a JSON pointer into the
 * document, what it declares, what was observed, and a sentence; none means the inventory is verified.
 *
 * <p>Tolerances, because a node never reports exactly its nominal size: memory may be up to
 * {@value #MEMORY_TOLERANCE_PERCENT}% below the declared MB (the kernel and firmware keep some);
 * vCPUs and GPUs are exact. A GPU model matches when one name, reduced to letters and digits,
 * contains the other once brand words (NVIDIA, Tesla, GeForce, Quadro) are dropped ("NVIDIA V100"
 * matches {@code Tesla-V100-PCIE-16GB}). A node the agent sees
 * without GPU labels has no model to compare.
 */
public final class InventoryDiff {
    public static final int MEMORY_TOLERANCE_PERCENT = 10;

    /** One difference between the document and the cluster. */
    public record Difference(String path, String declared, String observed, String message) {}

    private InventoryDiff() {}

    public static List<Difference> compare(ClusterDocument doc, ObservedInventory seen) {
        List<Difference> out = new ArrayList<>();
        Map<String, ObservedInventory.ObservedNode> byId = new LinkedHashMap<>();
        List<String> unlabelled = new ArrayList<>();
        for (ObservedInventory.ObservedNode n : seen.nodes()) {
            if (n.nodeId() == null) {
                unlabelled.add(n.name());
            } else {
                byId.put(n.nodeId(), n);
            }
        }
        List<ClusterDocument.Node> declared = doc.nodes().nodeData();
        TreeSet<String> extra = new TreeSet<>(byId.keySet());
        for (int i = 0; i < declared.size(); i++) {
            ClusterDocument.Node d = declared.get(i);
            String p = "/nodes/nodeData/" + i;
            extra.remove(d.id());
            ObservedInventory.ObservedNode o = byId.get(d.id());
            if (o == null) {
                out.add(new Difference(
                        p + "/id", d.id(), null, "no node labelled nodeID=" + d.id() + " is in the " + "cluster"));
                continue;
            }
            ObservedInventory.Resources cap = o.capacity();
            int gpus = cap == null ? 0 : cap.gpus();
            if (o.gpu() != null && o.gpu().count() != null && gpus == 0) {
                gpus = o.gpu().count();
            }
            int declaredGpus = d.gpus() == null ? 0 : d.gpus().count();
            if (gpus != declaredGpus) {
                out.add(new Difference(
                        p + "/gpus/count",
                        Integer.toString(declaredGpus),
                        Integer.toString(gpus),
                        "node " + d.id() + " declares " + declaredGpus + (declaredGpus == 1 ? " GPU; " : " GPUs; ")
                                + gpus + " found"));
            }
            String product = o.gpu() == null ? null : o.gpu().product();
            if (product != null && d.gpus() != null && d.gpus().gpus() != null) {
                for (int g = 0; g < d.gpus().gpus().size(); g++) {
                    String model = d.gpus().gpus().get(g).modelName();
                    if (model != null && !sameModel(model, product)) {
                        out.add(new Difference(
                                p + "/gpus/gpus/" + g + "/modelName",
                                model,
                                product,
                                "node " + d.id() + " declares a " + model + "; the node reports " + product));
                    }
                }
            }
            if (cap != null) {
                int vcpus = (int) Math.floor(cap.vcpus());
                int declaredVcpus = d.vcpus() == null ? 0 : d.vcpus().count();
                if (vcpus != declaredVcpus) {
                    out.add(new Difference(
                            p + "/vcpus/count",
                            Integer.toString(declaredVcpus),
                            Integer.toString(vcpus),
                            "node " + d.id() + " declares " + declaredVcpus + " vCPUs; it has " + vcpus));
                }
                long floor = d.memory() * (100 - MEMORY_TOLERANCE_PERCENT) / 100;
                if (cap.memoryMB() < floor || cap.memoryMB() > d.memory() + d.memory() / 100 + 1024) {
                    out.add(new Difference(
                            p + "/memory",
                            d.memory() + " MB",
                            cap.memoryMB() + " MB",
                            "node " + d.id() + " declares " + d.memory() + " MB of memory; it has " + cap.memoryMB()
                                    + " MB"));
                }
            }
        }
        for (String id : extra) {
            out.add(new Difference(
                    "/nodes/nodeData",
                    null,
                    id,
                    "node " + byId.get(id).name() + " is labelled nodeID=" + id
                            + ", which the document does not list"));
        }
        for (String name : unlabelled) {
            out.add(new Difference("/nodes/nodeData", null, name, "node " + name + " has no nodeID label"));
        }
        return out;
    }

    static boolean sameModel(String a, String b) {
        String x = model(a);
        String y = model(b);
        return !x.isEmpty() && !y.isEmpty() && (x.contains(y) || y.contains(x));
    }

    /** Letters and digits, without the brand words GPU feature discovery and owners use inconsistently. */
    private static String model(String name) {
        String s = name.toLowerCase(Locale.ROOT).replaceAll("\\b(nvidia|tesla|geforce|quadro)\\b", " ");
        s = s.replaceAll("[^a-z0-9]", "");
        return s.isEmpty() ? name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "") : s;
    }
}
