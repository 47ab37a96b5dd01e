package network.aios.member;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import network.aios.api.ClusterDocument;
import network.aios.member.desired.AddonDeployment;
import network.aios.member.desired.AgentRole;
import network.aios.member.desired.InfraNames;
import network.aios.member.desired.Owner;

/**
 * Checks a member cluster against the seed's prerequisites and the cluster's document before
 * anything is installed. Each check passes, warns or fails, and says how to fix it.
 */
public final class Preflight {
    public enum Status {
        PASS,
        WARN,
        FAIL
    }

    public record Check(String name, Status status, String message, String fix) {}

    /** What the install needs the owner's identity to be allowed to do (cluster-wide). */
    public static final List<String[]> REQUIRED_ACCESS = List.of(
            new String[] {"create", "", "namespaces"},
            new String[] {"create", "", "serviceaccounts"},
            new String[] {"create", "", "secrets"},
            new String[] {"create", "rbac.authorization.k8s.io", "clusterroles"},
            new String[] {"create", "rbac.authorization.k8s.io", "clusterrolebindings"},
            new String[] {"create", "rbac.authorization.k8s.io", "roles"},
            new String[] {"create", "rbac.authorization.k8s.io", "rolebindings"});

    private Preflight() {}

    /** Checks a member cluster before {@code owner}'s services (described by {@code doc}) are deployed on it. */
    public static List<Check> run(ClusterReads ops, ClusterDocument doc, Owner owner) {
        List<Supplier<Check>> checks = new ArrayList<>();
        checks.add(() -> guarded(
                "namespace",
                "read namespaces",
                () -> clusterNamespace(ops.namespace(InfraNames.NAMESPACE).orElse(null), owner)));
        checks.add(() -> guarded("node-labels", "list nodes", () -> nodeLabels(ops.nodes(), doc)));
        checks.add(() -> guarded("node-ports", "list services", () -> nodePorts(ops.services(), doc.id())));
        if (doc.config() != null && doc.config().gateway()) {
            checks.add(
                    () -> guarded("ambassador", "read services in namespace ambassador", () -> ambassadorService(ops)));
            checks.add(
                    () -> guarded("ambassador-mapping-crd", "read customresourcedefinitions", () -> mappingCrd(ops)));
        }
        checks.add(() -> guarded("kubeadm", "read configmaps in kube-system", () -> {
            boolean kubeadm = ops.hasConfigMap("kube-system", "kubeadm-config");
            return kubeadm
                    ? new Check("kubeadm", Status.PASS, "set up with kubeadm (kube-system/kubeadm-config)", null)
                    : new Check(
                            "kubeadm",
                            Status.WARN,
                            "no kube-system/kubeadm-config: the seed expects a kubeadm " + "cluster",
                            "AIOS supports kubeadm clusters; node joins (add_node) need kubeadm");
        }));
        if (doc.allowsExternalNodes()) {
            checks.add(() -> guarded("external-nodes", "read configmaps in kube-public", () -> externalNodes(ops)));
        }
        List<Check> out = withPermissions(ops, checks);
        return out;
    }

    /**
     * Where external nodes would join: the endpoint and CA of {@code kube-public/cluster-info}, which {@code kubeadm
     * join} and {@code aios node join-token} both read, and the ports the seed says such nodes need.
     */
    private static Check externalNodes(ClusterReads ops) {
        String ports = "open TCP 6443 (API server) and 10250 (kubelet) on the control-plane node to the joining nodes"
                + " only, ideally over a VPN (WireGuard, Tailscale)";
        return ops.configMapData("kube-public", "cluster-info", "kubeconfig")
                .flatMap(network.aios.member.desired.NodeJoin::clusterInfo)
                .map(info -> new Check(
                        "external-nodes",
                        Status.WARN,
                        "allowExternalNodes is true: nodes join at " + info.endpoint()
                                + " (kube-public/cluster-info, CA " + info.caCertHash() + ")",
                        ports))
                .orElseGet(() -> new Check(
                        "external-nodes",
                        Status.WARN,
                        "allowExternalNodes is true but kube-public/cluster-info is missing or unreadable: no kubeadm"
                                + " join command can be given for this cluster",
                        "kubeadm init creates it (kubeadm init phase bootstrap-token); " + ports));
    }

    /**
     * Checks a member cluster before an add-on (executor, split runner) is deployed on it: the install
     * permissions, its NodePort free, its namespace free (or already this add-on's), and for a gateway
     * route the Mapping CRD.
     */
    public static List<Check> run(ClusterReads ops, AddonDeployment addon) {
        List<Supplier<Check>> out = new ArrayList<>();
        out.add(() -> guarded("node-ports", "list services", () -> {
            List<String> taken = new ArrayList<>();
            for (Service s : ops.services()) {
                Map<String, String> labels = s.getMetadata().getLabels();
                boolean ours = labels != null && addon.id().equals(labels.get(AddonDeployment.ADDON_LABEL));
                if (!ours
                        && s.getSpec() != null
                        && s.getSpec().getPorts() != null
                        && s.getSpec().getPorts().stream()
                                .anyMatch(p -> p.getNodePort() != null && p.getNodePort() == addon.nodePort())) {
                    taken.add(s.getMetadata().getNamespace() + "/"
                            + s.getMetadata().getName());
                }
            }
            return taken.isEmpty()
                    ? new Check("node-ports", Status.PASS, "NodePort " + addon.nodePort() + " is free", null)
                    : new Check(
                            "node-ports",
                            Status.FAIL,
                            "NodePort " + addon.nodePort() + " is taken by " + String.join(", ", taken),
                            "free it, or register the " + addon.kind().wire() + " with another "
                                    + addon.kind().field("node_port") + " (30000-32767)");
        }));
        out.add(() -> guarded(
                "namespace",
                "read namespaces",
                () -> addonNamespace(ops.namespace(addon.namespace()).orElse(null), addon.namespace())));
        if (addon.gatewayPrefix() != null) {
            out.add(() -> guarded("ambassador-mapping-crd", "read customresourcedefinitions", () -> mappingCrd(ops)));
        }
        return withPermissions(ops, out);
    }

    /**
     * The api-server check, then the permissions check, then {@code checks}: every read at once (one round
     * trip to the member cluster instead of a dozen, none of them waiting on another).
     */
    private static List<Check> withPermissions(ClusterReads ops, List<Supplier<Check>> checks) {
        List<Supplier<Object>> calls = new ArrayList<>();
        calls.add(() -> new Check("api-server", Status.PASS, "Kubernetes " + ops.version() + " answers", null));
        for (String[] a : REQUIRED_ACCESS) {
            calls.add(() -> ops.may(a[0], a[1], a[2], null));
        }
        calls.addAll(checks.stream().<Supplier<Object>>map(c -> c::get).toList());
        List<Object> results = Concurrently.all(calls);
        List<Check> out = new ArrayList<>();
        out.add((Check) results.get(0));
        List<String> denied = new ArrayList<>();
        for (int i = 0; i < REQUIRED_ACCESS.size(); i++) {
            String[] a = REQUIRED_ACCESS.get(i);
            if (!(Boolean) results.get(1 + i)) {
                denied.add(a[0] + " " + (a[1].isEmpty() ? "" : a[1] + "/") + a[2]);
            }
        }
        out.add(
                denied.isEmpty()
                        ? new Check(
                                "permissions",
                                Status.PASS,
                                "the kubeconfig may set up the control plane's identity",
                                null)
                        : new Check(
                                "permissions",
                                Status.FAIL,
                                "the kubeconfig's identity may not: " + String.join(", ", denied),
                                "use the cluster's admin kubeconfig (kubeadm: /etc/kubernetes/admin.conf) for this one step"));
        for (Object r : results.subList(1 + REQUIRED_ACCESS.size(), results.size())) {
            out.add((Check) r);
        }
        return out;
    }

    /** A check whose read is forbidden fails as such, instead of failing the whole preflight. */
    private static Check guarded(String name, String what, Supplier<Check> check) {
        try {
            return check.get();
        } catch (RuntimeException e) {
            if (ClusterReads.forbidden(e)) {
                return new Check(
                        name,
                        Status.FAIL,
                        "the kubeconfig's identity may not " + what,
                        "use the cluster's admin kubeconfig (kubeadm: /etc/kubernetes/admin.conf) for this one step");
            }
            throw e;
        }
    }

    public static boolean passed(List<Check> checks) {
        return checks.stream().noneMatch(c -> c.status() == Status.FAIL);
    }

    static Check nodeLabels(List<Node> nodes, ClusterDocument doc) {
        Set<String> labelled = new TreeSet<>();
        List<String> unlabelled = new ArrayList<>();
        for (Node n : nodes) {
            Map<String, String> labels = n.getMetadata().getLabels();
            String id = labels == null ? null : labels.get("nodeID");
            if (id == null) {
                unlabelled.add(n.getMetadata().getName());
            } else {
                labelled.add(id);
            }
        }
        Set<String> declared = new TreeSet<>(doc.nodeIds());
        Set<String> missing = new TreeSet<>(declared);
        missing.removeAll(labelled);
        Set<String> extra = new TreeSet<>(labelled);
        extra.removeAll(declared);
        if (missing.isEmpty() && extra.isEmpty() && unlabelled.isEmpty()) {
            return new Check(
                    "node-labels",
                    Status.PASS,
                    "every node is labelled nodeID and matches the document: " + declared,
                    null);
        }
        List<String> what = new ArrayList<>();
        if (!missing.isEmpty()) {
            what.add("no node labelled nodeID=" + String.join(", ", missing));
        }
        if (!extra.isEmpty()) {
            what.add("nodes labelled " + extra + " are not in the document");
        }
        if (!unlabelled.isEmpty()) {
            what.add("nodes without a nodeID label: " + unlabelled);
        }
        String node = unlabelled.isEmpty() ? "<node-name>" : unlabelled.get(0);
        String id = missing.isEmpty() ? "<unique-id>" : missing.iterator().next();
        return new Check(
                "node-labels",
                Status.FAIL,
                String.join("; ", what),
                "kubectl label node " + node + " nodeID=" + id + " --overwrite (and list every node in the document)");
    }

    /** The add-ons of a kind share their namespace: free or the control plane's pass; anyone else's fails. */
    public static Check addonNamespace(Owner.NamespaceState ns, String name) {
        if (ns == null) {
            return new Check("namespace", Status.PASS, "namespace " + name + " is free", null);
        }
        if (InfraNames.MANAGED_BY.equals(ns.labels().get(InfraNames.MANAGED_BY_LABEL))) {
            List<String> claims = Owner.claimants(ns);
            return new Check(
                    "namespace",
                    Status.PASS,
                    "namespace " + name + " is the control plane's"
                            + (claims.isEmpty() ? "" : ", shared with " + String.join(", ", claims)),
                    null);
        }
        return new Check(
                "namespace",
                Status.FAIL,
                "namespace " + name + " already exists and is not the control plane's",
                "delete it or use another cluster");
    }

    /**
     * The cluster's services live in {@value InfraNames#NAMESPACE}, one registration's alone: free, already
     * this registration's (creating again), or being deleted (the job waits) pass; another's fails.
     */
    public static Check clusterNamespace(Owner.NamespaceState ns, Owner owner) {
        String name = InfraNames.NAMESPACE;
        if (ns == null) {
            return new Check("namespace", Status.PASS, "namespace " + name + " is free", null);
        }
        if (ns.terminating()) {
            return new Check(
                    "namespace",
                    Status.WARN,
                    "namespace " + name + " is being deleted; the job waits until it is gone",
                    null);
        }
        if (owner.holds(ns)) {
            return new Check(
                    "namespace", Status.PASS, "namespace " + name + " holds this registration's services", null);
        }
        List<String> claims = Owner.claimants(ns);
        String holder = !claims.isEmpty()
                ? String.join(", ", claims)
                : ns.labels().containsKey(InfraNames.CLUSTER_LABEL)
                        ? "cluster " + ns.labels().get(InfraNames.CLUSTER_LABEL)
                        : null;
        return new Check(
                "namespace",
                Status.FAIL,
                holder == null
                        ? "namespace " + name + " already exists and is not the control plane's"
                        : "namespace " + name + " holds the AIOS services of " + holder
                                + (holder.equals(owner.toString()) ? " (an earlier registration of this id)" : ""),
                holder == null
                        ? "delete it, or use another cluster"
                        : "one registration's services per member cluster: remove those first (aios cluster infra"
                                + " remove <cluster> --kubeconfig ...), or register this cluster's document under that id");
    }

    static Check nodePorts(List<Service> services, String clusterId) {
        List<String> taken = new ArrayList<>();
        for (Service s : services) {
            Map<String, String> labels = s.getMetadata().getLabels();
            boolean ours = labels != null
                    && InfraNames.MANAGED_BY.equals(labels.get(InfraNames.MANAGED_BY_LABEL))
                    && clusterId.equals(labels.get(InfraNames.CLUSTER_LABEL));
            if (ours || s.getSpec() == null || s.getSpec().getPorts() == null) {
                continue;
            }
            for (ServicePort p : s.getSpec().getPorts()) {
                for (AgentRole r : AgentRole.values()) {
                    if (p.getNodePort() != null && p.getNodePort() == r.nodePort()) {
                        taken.add(r.nodePort() + " by " + s.getMetadata().getNamespace() + "/"
                                + s.getMetadata().getName());
                    }
                }
            }
        }
        return taken.isEmpty()
                ? new Check("node-ports", Status.PASS, "NodePorts 32300-32303 are free", null)
                : new Check(
                        "node-ports",
                        Status.FAIL,
                        "NodePorts taken: " + String.join(", ", taken),
                        "free them (kubectl -n <ns> edit svc <name>, or delete the Service): the AIOS services need them");
    }

    private static final String INSTALL_AMBASSADOR =
            "helm install ambassador datawire/ambassador --namespace ambassador "
                    + "--set service.type=NodePort --set service.nodePorts.http=32000 --set service.nodePorts.https=32000";

    static Check ambassadorService(ClusterReads ops) {
        Service svc = ops.service(InfraNames.AMBASSADOR_NAMESPACE, InfraNames.AMBASSADOR_SERVICE)
                .orElse(null);
        boolean on32000 = svc != null
                && svc.getSpec() != null
                && "NodePort".equals(svc.getSpec().getType())
                && svc.getSpec().getPorts().stream()
                        .anyMatch(p -> p.getNodePort() != null && p.getNodePort() == InfraNames.AMBASSADOR_NODE_PORT);
        return on32000
                ? new Check("ambassador", Status.PASS, "ambassador/ambassador is a NodePort Service on 32000", null)
                : new Check(
                        "ambassador",
                        Status.FAIL,
                        svc == null
                                ? "no Service ambassador in namespace ambassador"
                                : "ambassador/ambassador is not a NodePort Service on 32000",
                        "kubectl create namespace ambassador; " + INSTALL_AMBASSADOR);
    }

    static Check mappingCrd(ClusterReads ops) {
        boolean crd = ops.hasCrd(InfraNames.MAPPING_CRD);
        return crd
                ? new Check("ambassador-mapping-crd", Status.PASS, "the Mapping CRD is installed", null)
                : new Check(
                        "ambassador-mapping-crd",
                        Status.FAIL,
                        "CRD " + InfraNames.MAPPING_CRD + " is missing",
                        INSTALL_AMBASSADOR + " (the chart installs the CRDs)");
    }
}
