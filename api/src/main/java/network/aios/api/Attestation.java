package network.aios.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What an agent reported about its cluster's nodes, beside what the control plane read from the
 * cluster's API itself: every difference at a pointer ({@code /nodes/<nodeId>/...}). An agent's
 * credential is readable by the member cluster's admin, so a report is a claim until it matches.
 */
public final class Attestation {
    private Attestation() {}

    public static List<InventoryDiff.Difference> compare(ObservedInventory reported, ObservedInventory attested) {
        Map<String, ObservedInventory.ObservedNode> claimed = byId(reported);
        Map<String, ObservedInventory.ObservedNode> actual = byId(attested);
        List<InventoryDiff.Difference> out = new ArrayList<>();
        for (var e : actual.entrySet()) {
            ObservedInventory.ObservedNode c = claimed.get(e.getKey());
            String at = Pointer.child("/nodes", e.getKey());
            if (c == null) {
                out.add(new InventoryDiff.Difference(
                        at,
                        "present",
                        "not reported",
                        "the cluster has node " + e.getKey() + "; the agent did not report it"));
                continue;
            }
            ObservedInventory.ObservedNode a = e.getValue();
            same(out, at + "/gpus", gpus(c), gpus(a), "GPUs");
            same(
                    out,
                    at + "/gpuProduct",
                    c.gpu() == null ? null : c.gpu().product(),
                    a.gpu() == null ? null : a.gpu().product(),
                    "GPU model");
            same(
                    out,
                    at + "/vcpus",
                    c.capacity() == null ? null : c.capacity().vcpus(),
                    a.capacity() == null ? null : a.capacity().vcpus(),
                    "vCPUs");
            same(
                    out,
                    at + "/memoryMB",
                    c.capacity() == null ? null : c.capacity().memoryMB(),
                    a.capacity() == null ? null : a.capacity().memoryMB(),
                    "memory (MB)");
        }
        for (String id : claimed.keySet()) {
            if (!actual.containsKey(id)) {
                out.add(new InventoryDiff.Difference(
                        Pointer.child("/nodes", id),
                        "not present",
                        "reported",
                        "the agent reported node " + id + ", which the cluster does not have"));
            }
        }
        return out;
    }

    private static Integer gpus(ObservedInventory.ObservedNode n) {
        return n.capacity() == null ? null : n.capacity().gpus();
    }

    private static void same(
            List<InventoryDiff.Difference> out, String at, Object reported, Object actual, String what) {
        if (!Objects.equals(reported, actual)) {
            out.add(new InventoryDiff.Difference(
                    at,
                    String.valueOf(actual),
                    String.valueOf(reported),
                    "the agent reported " + what + " " + reported + "; the cluster's API says " + actual));
        }
    }

    private static Map<String, ObservedInventory.ObservedNode> byId(ObservedInventory inv) {
        Map<String, ObservedInventory.ObservedNode> m = new LinkedHashMap<>();
        if (inv != null && inv.nodes() != null) {
            for (var n : inv.nodes()) {
                m.put(n.nodeId() != null ? n.nodeId() : "name:" + n.name(), n);
            }
        }
        return m;
    }
}
