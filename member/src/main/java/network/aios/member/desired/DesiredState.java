package network.aios.member.desired;

import static network.aios.member.desired.InfraNames.AGENT_SECRET;
import static network.aios.member.desired.InfraNames.CLUSTER_CONFIGMAP;
import static network.aios.member.desired.InfraNames.CONTROL_PLANE_SA;
import static network.aios.member.desired.InfraNames.CONTROL_PLANE_TOKEN_SECRET;
import static network.aios.member.desired.InfraNames.NAMESPACE;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvFromSourceBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.SubjectBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import network.aios.api.ClusterDocument;

/**
 * The Kubernetes objects the AIOS infrastructure consists of on one member cluster: pure functions of
 * the cluster document and settings (no client, no clock, no environment). Two sets, applied with
 * different identities:
 * <ul>
 *   <li>{@link #bootstrap}: applied once with the owner's admin kubeconfig; creates the control plane's
 *       own least-privilege ServiceAccount, its token Secret, and the cluster-scoped RBAC the agents need.
 *       After it the admin kubeconfig is dropped.</li>
 *   <li>{@link #services}: applied with that ServiceAccount's token; the four agent services.</li>
 * </ul>
 */
public final class DesiredState {
    private static final String RBAC = "rbac.authorization.k8s.io";
    private static final int CONTAINER_PORT = 8080;
    private static final int SERVICE_PORT = 443;
    private static final String TLS_MOUNT = "/etc/aios/tls";
    private static final String CREDENTIAL_MOUNT = "/etc/aios/agent";
    /** On the agents' pod template: a digest of the certificate served, so a renewed one restarts them. */
    public static final String SERVING_CERTIFICATE_ANNOTATION = "aios.network/serving-certificate";

    private DesiredState() {}

    /** The namespace, applied first: the cluster-scoped objects are owned by it (see {@link #bootstrap}). */
    public static HasMetadata namespace(String clusterId) {
        io.fabric8.kubernetes.api.model.ObjectMeta m = meta(NAMESPACE, null, clusterId);
        m.getLabels().putAll(PodSecurity.NAMESPACE_LABELS); // the API server refuses privileged or host pods here
        return new NamespaceBuilder().withMetadata(m).build();
    }

    /**
     * The control plane's identity and the agents' cluster-scoped RBAC. The cluster-scoped objects are
     * owned by the namespace (uid {@code namespaceUid}), so deleting the namespace garbage-collects them:
     * the control plane can remove everything it made, its own access last, without cluster-admin.
     */
    public static List<HasMetadata> bootstrap(String clusterId, String namespaceUid, boolean externalNodes) {
        List<HasMetadata> out = new ArrayList<>();
        out.add(new ServiceAccountBuilder()
                .withMetadata(meta(CONTROL_PLANE_SA, NAMESPACE, clusterId))
                .build());
        ObjectMeta tokenMeta = meta(CONTROL_PLANE_TOKEN_SECRET, NAMESPACE, clusterId);
        tokenMeta.setAnnotations(Map.of("kubernetes.io/service-account.name", CONTROL_PLANE_SA));
        out.add(new SecretBuilder()
                .withMetadata(tokenMeta)
                .withType("kubernetes.io/service-account-token")
                .build());
        out.add(new RoleBuilder()
                .withMetadata(meta(CONTROL_PLANE_SA, NAMESPACE, clusterId))
                .withRules(
                        rule("", List.of("configmaps", "secrets", "services", "serviceaccounts"), MANAGE),
                        rule("", List.of("pods"), READ),
                        rule("apps", List.of("deployments"), MANAGE),
                        rule("apps", List.of("replicasets"), READ),
                        rule(InfraNames.MAPPING_GROUP, List.of("mappings"), MANAGE))
                .build());
        out.add(new RoleBindingBuilder()
                .withMetadata(meta(CONTROL_PLANE_SA, NAMESPACE, clusterId))
                .withNewRoleRef(RBAC, "Role", CONTROL_PLANE_SA)
                .withSubjects(serviceAccount(CONTROL_PLANE_SA))
                .build());
        // the agents' RBAC is granted here, by the owner's identity: the control plane's own identity
        // holds no RBAC-writing rights at all. Only the blocks role writes in the namespace: it creates its log's
        // segments and may update those by name, never the ConfigMap holding the control plane's URL and keys.
        List<String> segments = new ArrayList<>();
        for (int n = 1; n <= InfraNames.BLOCK_LOG_SEGMENTS; n++) {
            segments.add(InfraNames.blockLogSegment(n));
        }
        String blocksSa = InfraNames.agentServiceAccount(AgentRole.BLOCKS);
        out.add(new RoleBuilder()
                .withMetadata(meta(blocksSa, NAMESPACE, clusterId))
                .withRules(
                        rule("", List.of("configmaps"), List.of("get", "list", "watch", "create")),
                        named(rule("", List.of("configmaps"), List.of("update")), segments.toArray(String[]::new)))
                .build());
        out.add(new RoleBindingBuilder()
                .withMetadata(meta(blocksSa, NAMESPACE, clusterId))
                .withNewRoleRef(RBAC, "Role", blocksSa)
                .withSubjects(serviceAccount(blocksSa))
                .build());
        String cpRole = InfraNames.controlPlaneClusterRole(clusterId);
        out.add(new ClusterRoleBuilder()
                .withMetadata(owned(meta(cpRole, null, clusterId), namespaceUid))
                .withRules(
                        rule("", List.of("nodes"), READ),
                        rule("", List.of("services"), List.of("list")),
                        rule("", List.of("namespaces"), List.of("get")),
                        rule("apiextensions.k8s.io", List.of("customresourcedefinitions"), List.of("get")),
                        rule("authorization.k8s.io", List.of("selfsubjectaccessreviews"), List.of("create")),
                        named(rule("", List.of("namespaces"), List.of("delete")), NAMESPACE),
                        named(
                                rule(RBAC, List.of("clusterroles", "clusterrolebindings"), List.of("get", "delete")),
                                ownClusterRoles(clusterId, cpRole)))
                .build());
        out.add(new ClusterRoleBindingBuilder()
                .withMetadata(owned(meta(cpRole, null, clusterId), namespaceUid))
                .withNewRoleRef(RBAC, "ClusterRole", cpRole)
                .withSubjects(serviceAccount(CONTROL_PLANE_SA))
                .build());
        if (externalNodes) {
            out.addAll(nodeJoinRbac(clusterId, namespaceUid));
        }
        for (AgentRole role : AgentRole.values()) {
            String name = InfraNames.agentClusterRole(clusterId, role);
            out.add(new ClusterRoleBuilder()
                    .withMetadata(owned(meta(name, null, clusterId), namespaceUid))
                    .withRules(agentRules(role))
                    .build());
            out.add(new ClusterRoleBindingBuilder()
                    .withMetadata(owned(meta(name, null, clusterId), namespaceUid))
                    .withNewRoleRef(RBAC, "ClusterRole", name)
                    .withSubjects(serviceAccount(InfraNames.agentServiceAccount(role)))
                    .build());
        }
        return out;
    }

    /**
     * Only where the document allows external nodes: the control plane may create bootstrap-token Secrets in
     * {@code kube-system} and delete them (a node's token, made when the add_node policy admits the node, deleted
     * once the node joined or the token expired), and read {@code kube-public/cluster-info} (the endpoint and CA a
     * join command names). RBAC cannot narrow a create or a delete to names not known in advance; docs/RBAC.md says
     * what that grants. Owned by the namespace, so its deletion takes them.
     */
    private static List<HasMetadata> nodeJoinRbac(String clusterId, String namespaceUid) {
        List<HasMetadata> out = new ArrayList<>();
        out.add(new RoleBuilder()
                .withMetadata(owned(meta(InfraNames.NODE_JOIN_ROLE, NodeJoin.NAMESPACE, clusterId), namespaceUid))
                .withRules(rule("", List.of("secrets"), List.of("create", "delete")))
                .build());
        out.add(new RoleBindingBuilder()
                .withMetadata(owned(meta(InfraNames.NODE_JOIN_ROLE, NodeJoin.NAMESPACE, clusterId), namespaceUid))
                .withNewRoleRef(RBAC, "Role", InfraNames.NODE_JOIN_ROLE)
                .withSubjects(serviceAccount(CONTROL_PLANE_SA))
                .build());
        out.add(new RoleBuilder()
                .withMetadata(owned(meta(InfraNames.NODE_JOIN_ROLE, "kube-public", clusterId), namespaceUid))
                .withRules(named(rule("", List.of("configmaps"), List.of("get")), "cluster-info"))
                .build());
        out.add(new RoleBindingBuilder()
                .withMetadata(owned(meta(InfraNames.NODE_JOIN_ROLE, "kube-public", clusterId), namespaceUid))
                .withNewRoleRef(RBAC, "Role", InfraNames.NODE_JOIN_ROLE)
                .withSubjects(serviceAccount(CONTROL_PLANE_SA))
                .build());
        return out;
    }

    /** A ServiceAccount of the AIOS namespace, as a binding's subject. */
    private static io.fabric8.kubernetes.api.model.rbac.Subject serviceAccount(String name) {
        return new SubjectBuilder()
                .withKind("ServiceAccount")
                .withName(name)
                .withNamespace(NAMESPACE)
                .build();
    }

    /** What each agent role does on the cluster, and nothing more (docs/RBAC.md has the table; an IT checks it). */
    static List<io.fabric8.kubernetes.api.model.rbac.PolicyRule> agentRules(AgentRole role) {
        return switch (role) {
            // watches nodes (join, leave, labels, capacity)
            case CONTROLLER -> List.of(rule("", List.of("nodes"), READ));
            // capacity, requests and usage per node
            case METRICS ->
                List.of(
                        rule("", List.of("nodes"), READ),
                        rule("", List.of("pods"), READ),
                        rule("metrics.k8s.io", List.of("nodes", "pods"), List.of("get", "list")));
            // block workloads appearing, scaling, changing, going
            case BLOCKS -> List.of(rule("apps", List.of("deployments", "statefulsets"), READ));
            // cordon/uncordon/relabel (node patch), drain (pods, evictions), block forwarding (services), refresh
            case MGMT ->
                List.of(
                        rule("", List.of("nodes"), List.of("get", "list", "watch", "patch")),
                        rule("", List.of("pods", "services"), READ),
                        rule("", List.of("pods/eviction"), List.of("create")));
        };
    }

    private static String[] ownClusterRoles(String clusterId, String cpRole) {
        List<String> names = new ArrayList<>(List.of(cpRole));
        for (AgentRole r : AgentRole.values()) {
            names.add(InfraNames.agentClusterRole(clusterId, r));
        }
        return names.toArray(String[]::new);
    }

    /** The agent services; {@code agentToken} is the credential agents use to call the control plane. */
    public static List<HasMetadata> services(ClusterDocument doc, InfraSettings s, AgentSecrets secrets) {
        String id = doc.id();
        List<HasMetadata> out = new ArrayList<>();
        for (AgentRole role : AgentRole.values()) {
            out.add(new ServiceAccountBuilder()
                    .withMetadata(meta(InfraNames.agentServiceAccount(role), NAMESPACE, id))
                    .build());
        }
        Map<String, String> config = new LinkedHashMap<>();
        config.put("AIOS_CLUSTER_ID", id);
        config.put("AIOS_CONTROL_PLANE_URL", s.controlPlaneUrl());
        config.put("AIOS_NODE_IDS", String.join(",", doc.nodeIds()));
        config.put(
                "AIOS_USE_GATEWAY",
                Boolean.toString(doc.config() != null && doc.config().gateway()));
        if (s.controlPlaneCa() != null) {
            config.put(
                    "AIOS_CONTROL_PLANE_CA", s.controlPlaneCa()); // public: what the agents trust the control plane by
        }
        if (s.grantPublicKey() != null) {
            config.put("AIOS_CONTROL_PLANE_GRANT_KEY", s.grantPublicKey()); // public: how mgmt checks commands
        }
        out.add(new ConfigMapBuilder()
                .withMetadata(meta(CLUSTER_CONFIGMAP, NAMESPACE, id))
                .withData(config)
                .build());
        out.add(new SecretBuilder()
                .withMetadata(meta(AGENT_SECRET, NAMESPACE, id))
                .withType("Opaque")
                .withData(base64(Map.of("AIOS_AGENT_TOKEN", secrets.agentToken())))
                .build());
        out.add(new SecretBuilder()
                .withMetadata(meta(InfraNames.AGENT_TLS_SECRET, NAMESPACE, id))
                .withType("kubernetes.io/tls")
                .withData(base64(Map.of("tls.crt", secrets.tlsCertificatePem(), "tls.key", secrets.tlsKeyPem())))
                .build());
        String served = Fingerprint.digest(secrets.tlsCertificatePem()); // a new certificate rolls the agents
        for (AgentRole role : AgentRole.values()) {
            out.add(deployment(id, role, s, served));
            out.add(service(id, role));
        }
        if (doc.config() != null && doc.config().gateway()) {
            for (AgentRole role : AgentRole.values()) {
                out.add(mapping(id, role));
            }
        }
        return out;
    }

    /**
     * Where each service is reached: the service's NodePort, over TLS with the cluster's certificate;
     * or, when the document asks for the gateway, the owner's Ambassador (32000 + suffix), which the
     * owner runs and serves as they configured it (plain HTTP in the seed), reaching the agents over TLS.
     */
    public static Map<String, String> urlMap(ClusterDocument doc) {
        String host = doc.config() == null ? null : doc.config().publicHostname();
        boolean gateway = doc.config() != null && doc.config().gateway();
        Map<String, String> out = new LinkedHashMap<>();
        for (AgentRole role : AgentRole.values()) {
            out.put(
                    role.urlMapKey(),
                    gateway
                            ? "http://" + host + ":" + InfraNames.AMBASSADOR_NODE_PORT + role.gatewaySuffix()
                            : "https://" + host + ":" + role.nodePort());
        }
        if (gateway) {
            out.put("publicGateway", "http://" + host + ":" + InfraNames.AMBASSADOR_NODE_PORT + "/");
        }
        return out;
    }

    private static HasMetadata deployment(String clusterId, AgentRole role, InfraSettings s, String servedCertificate) {
        String name = InfraNames.workload(role);
        Map<String, String> labels = InfraNames.labels(clusterId, role);
        Map<String, String> selector =
                Map.of(InfraNames.CLUSTER_LABEL, clusterId, InfraNames.COMPONENT_LABEL, role.id());
        return new DeploymentBuilder()
                .withMetadata(meta(name, NAMESPACE, labels))
                .withNewSpec()
                .withReplicas(s.replicas())
                .withNewSelector()
                .withMatchLabels(selector)
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(labels)
                .withAnnotations(Map.of(SERVING_CERTIFICATE_ANNOTATION, servedCertificate))
                .endMetadata()
                .withNewSpec()
                .withServiceAccountName(InfraNames.agentServiceAccount(role))
                .withSecurityContext(PodSecurity.pod())
                .withContainers(new ContainerBuilder()
                        .withName("agent")
                        .withImage(s.image())
                        .withImagePullPolicy(s.imagePullPolicy())
                        .withArgs(
                                "--role=" + role.id(),
                                "--port=" + CONTAINER_PORT,
                                "--tls-cert=" + TLS_MOUNT + "/tls.crt",
                                "--tls-key=" + TLS_MOUNT + "/tls.key",
                                // a file, not an environment variable: the kubelet updates it when the
                                // infrastructure is created again with a new token, and the agent re-reads it
                                "--token-file=" + CREDENTIAL_MOUNT + "/AIOS_AGENT_TOKEN")
                        .addNewPort()
                        .withName("https")
                        .withContainerPort(CONTAINER_PORT)
                        .withProtocol("TCP")
                        .endPort()
                        .withEnvFrom(new EnvFromSourceBuilder()
                                .withNewConfigMapRef(CLUSTER_CONFIGMAP, false)
                                .build())
                        .withNewReadinessProbe()
                        .withNewHttpGet()
                        .withPath("/healthz")
                        .withScheme("HTTPS")
                        .withPort(new IntOrString("https"))
                        .endHttpGet()
                        .withPeriodSeconds(5)
                        .endReadinessProbe()
                        .withResources(DesiredState.agentResources())
                        .withSecurityContext(PodSecurity.container(true))
                        // the root filesystem is read-only: the JVM and Jetty get a scratch /tmp
                        .addNewVolumeMount()
                        .withName("tmp")
                        .withMountPath("/tmp")
                        .endVolumeMount()
                        .addNewVolumeMount()
                        .withName("tls")
                        .withMountPath(TLS_MOUNT)
                        .withReadOnly(true)
                        .endVolumeMount()
                        .addNewVolumeMount()
                        .withName("credential")
                        .withMountPath(CREDENTIAL_MOUNT)
                        .withReadOnly(true)
                        .endVolumeMount()
                        .build())
                .addNewVolume()
                .withName("tmp")
                .withNewEmptyDir()
                .endEmptyDir()
                .endVolume()
                .addNewVolume()
                .withName("credential")
                .withNewSecret()
                .withSecretName(AGENT_SECRET)
                .withDefaultMode(0440)
                .endSecret()
                .endVolume()
                .addNewVolume()
                .withName("tls")
                .withNewSecret()
                .withSecretName(InfraNames.AGENT_TLS_SECRET)
                .withDefaultMode(0440)
                .endSecret()
                .endVolume()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    private static HasMetadata service(String clusterId, AgentRole role) {
        return new ServiceBuilder()
                .withMetadata(meta(InfraNames.workload(role), NAMESPACE, InfraNames.labels(clusterId, role)))
                .withNewSpec()
                .withType("NodePort")
                .withSelector(Map.of(InfraNames.CLUSTER_LABEL, clusterId, InfraNames.COMPONENT_LABEL, role.id()))
                .addNewPort()
                .withName("https")
                .withProtocol("TCP")
                .withPort(SERVICE_PORT)
                .withTargetPort(new IntOrString("https"))
                .withNodePort(role.nodePort())
                .endPort()
                .endSpec()
                .build();
    }

    private static GenericKubernetesResource mapping(String clusterId, AgentRole role) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("hostname", "*");
        spec.put("prefix", role.gatewaySuffix() + "/");
        // https:// makes Ambassador originate TLS to the agent: the owner's gateway terminates, the hop is encrypted
        spec.put("service", "https://" + InfraNames.workload(role) + "." + NAMESPACE + ":" + SERVICE_PORT);
        return new GenericKubernetesResourceBuilder()
                .withApiVersion(InfraNames.MAPPING_GROUP + "/" + InfraNames.MAPPING_VERSION)
                .withKind("Mapping")
                .withMetadata(meta(InfraNames.workload(role), NAMESPACE, InfraNames.labels(clusterId, role)))
                .withAdditionalProperties(Map.of("spec", spec))
                .build();
    }

    /**
     * Secret values as {@code data} (base64), never {@code stringData}: the API server folds stringData
     * into data, so applying stringData again is a change every time, and a resync would see drift
     * where there is none.
     */
    private static Map<String, String> base64(Map<String, String> plain) {
        Map<String, String> out = new java.util.TreeMap<>();
        plain.forEach((k, v) -> out.put(
                k, java.util.Base64.getEncoder().encodeToString(v.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        return out;
    }

    private static final List<String> READ = List.of("get", "list", "watch");
    private static final List<String> MANAGE = List.of("get", "list", "watch", "create", "update", "patch", "delete");

    private static PolicyRule rule(String group, List<String> resources, List<String> verbs) {
        return new PolicyRuleBuilder()
                .withApiGroups(group)
                .withResources(resources)
                .withVerbs(verbs)
                .build();
    }

    private static PolicyRule named(PolicyRule rule, String... names) {
        rule.setResourceNames(List.of(names));
        return rule;
    }

    /** What an agent's container asks for and may use (every role, and the pull agent). */
    static io.fabric8.kubernetes.api.model.ResourceRequirements agentResources() {
        return new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
                .withRequests(Map.of("cpu", new Quantity("50m"), "memory", new Quantity("128Mi")))
                .withLimits(Map.of("memory", new Quantity("512Mi")))
                .build();
    }

    /** Owned by the namespace of uid {@code namespaceUid}; null: not owned (not known when the set is built). */
    private static ObjectMeta owned(ObjectMeta meta, String namespaceUid) {
        if (namespaceUid == null) {
            return meta;
        }
        meta.setOwnerReferences(List.of(new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
                .withApiVersion("v1")
                .withKind("Namespace")
                .withName(NAMESPACE)
                .withUid(namespaceUid)
                .build()));
        return meta;
    }

    private static ObjectMeta meta(String name, String namespace, String clusterId) {
        return meta(name, namespace, InfraNames.labels(clusterId));
    }

    private static ObjectMeta meta(String name, String namespace, Map<String, String> labels) {
        return new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(namespace)
                .withLabels(new LinkedHashMap<>(labels))
                .build();
    }
}
