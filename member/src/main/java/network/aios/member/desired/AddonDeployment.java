package network.aios.member.desired;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.SubjectBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import network.aios.api.AddonKind;

/**
 * The Kubernetes objects of one deployed add-on (a policy executor or a model split runner): pure
 * functions of what it is, like {@link DesiredState} for the cluster's own services, and applied the
 * same way — {@link #bootstrap} once with the owner's kubeconfig (the control plane's own
 * ServiceAccount, confined to the add-on's namespace), {@link #services} with that identity.
 *
 * <p>Names follow the seed: an executor {@code executor-001} is the Service
 * {@code executor-001.policies-system} on port 10250, exposed on NodePort 30900 and at
 * {@code /executor/executor-001/} on the owner's Ambassador; a split runner is exposed on NodePort
 * 31701. The namespace is one per kind and is shared by every add-on of that kind on the cluster (each
 * registered with a NodePort of its own): the namespace, the control plane's identity in it and that
 * identity's cluster-scoped RBAC are {@linkplain #bootstrap shared} and labelled with the kind only; the
 * add-on's own objects ({@link #services}) carry its id. Each add-on claims the namespace ({@link Owner});
 * removing one deletes its own objects, and the namespace — with the control plane's access, last — only
 * with the last claim.
 */
public record AddonDeployment(AddonKind kind, String id, String image, int nodePort) {
    public static final String EXECUTOR_NAMESPACE = "policies-system";
    public static final String SPLIT_RUNNER_NAMESPACE = "split-runner-system";
    public static final int EXECUTOR_PORT = 10250;
    public static final int SPLIT_RUNNER_PORT = 8080;
    public static final String ADDON_LABEL = "aios.network/addon-id";
    public static final String DEFAULT_EXECUTOR_IMAGE = "aios/policy-executor:0.1.0";
    public static final String DEFAULT_SPLIT_RUNNER_IMAGE = "aios/split-runner:0.1.0";
    private static final String RBAC = "rbac.authorization.k8s.io";

    public AddonDeployment {
        if (!kind.deployable()) {
            throw new IllegalArgumentException(kind.wire() + " is not deployed by the control plane");
        }
    }

    /** With the seed's NodePort and the default image unless the registration sets them. */
    public static AddonDeployment of(AddonKind kind, String id, String image, Integer nodePort) {
        String img = image != null
                ? image
                : kind == AddonKind.EXECUTOR ? DEFAULT_EXECUTOR_IMAGE : DEFAULT_SPLIT_RUNNER_IMAGE;
        return new AddonDeployment(kind, id, img, nodePort != null ? nodePort : kind.defaultNodePort());
    }

    /** The deployment a registration describes: its {@code <kind>_image} and {@code <kind>_node_port}, or the defaults. */
    public static AddonDeployment forRegistration(AddonKind kind, String id, tools.jackson.databind.JsonNode doc) {
        tools.jackson.databind.JsonNode image = doc.get(kind.field("image"));
        tools.jackson.databind.JsonNode port = doc.get(kind.field("node_port"));
        return of(
                kind,
                id,
                image == null || image.isNull() ? null : image.asString(),
                port == null || port.isNull() ? null : port.asInt());
    }

    public String namespace() {
        return kind == AddonKind.EXECUTOR ? EXECUTOR_NAMESPACE : SPLIT_RUNNER_NAMESPACE;
    }

    /** The Deployment and Service name: the add-on's id. */
    public String workload() {
        return id;
    }

    public int port() {
        return kind == AddonKind.EXECUTOR ? EXECUTOR_PORT : SPLIT_RUNNER_PORT;
    }

    /** The gateway prefix on the owner's Ambassador, or null (split runners have none). */
    public String gatewayPrefix() {
        return kind == AddonKind.EXECUTOR ? "/executor/" + id + "/" : null;
    }

    /** In-cluster URL, e.g. {@code http://executor-001.policies-system.svc.cluster.local:10250}. */
    public String internalUrl() {
        return "http://" + workload() + "." + namespace() + ".svc.cluster.local:" + port();
    }

    /**
     * The shared identity's cluster-scoped RBAC is named after the namespace it serves (one per kind per
     * cluster): the add-ons of a kind share it, and it goes with their namespace.
     */
    public String clusterRoleName() {
        return "aios-" + namespace();
    }

    /** The labels of the add-on's own objects: the shared ones' and its id. */
    public Map<String, String> labels() {
        Map<String, String> l = sharedLabels();
        l.put(ADDON_LABEL, id);
        return l;
    }

    /** The labels of what the add-ons of a kind share (the namespace, the control plane's identity there). */
    public Map<String, String> sharedLabels() {
        Map<String, String> l = new LinkedHashMap<>();
        l.put(InfraNames.MANAGED_BY_LABEL, InfraNames.MANAGED_BY);
        l.put(InfraNames.COMPONENT_LABEL, kind.wire().replace('_', '-'));
        return l;
    }

    /** Selects every object of this add-on (tests, support). */
    public String selector() {
        return InfraNames.MANAGED_BY_LABEL + "=" + InfraNames.MANAGED_BY + "," + ADDON_LABEL + "=" + id;
    }

    public HasMetadata namespaceObject() {
        io.fabric8.kubernetes.api.model.ObjectMeta m = shared(namespace(), null);
        m.getLabels().putAll(PodSecurity.NAMESPACE_LABELS);
        return new NamespaceBuilder().withMetadata(m).build();
    }

    /**
     * The control plane's identity in the add-ons' namespace, shared by the add-ons of this kind on the
     * cluster: may manage their objects in the namespace, read nothing else, and delete only that namespace and
     * its own ClusterRole (owned by the namespace, so they go together). It may not patch the namespace: that
     * would let it relabel the namespace's Pod Security; claims are written with the owner's kubeconfig.
     */
    public List<HasMetadata> bootstrap(String namespaceUid) {
        String ns = namespace();
        List<HasMetadata> out = new ArrayList<>();
        out.add(new ServiceAccountBuilder()
                .withMetadata(shared(InfraNames.CONTROL_PLANE_SA, ns))
                .build());
        ObjectMeta tokenMeta = shared(InfraNames.CONTROL_PLANE_TOKEN_SECRET, ns);
        tokenMeta.setAnnotations(Map.of("kubernetes.io/service-account.name", InfraNames.CONTROL_PLANE_SA));
        out.add(new SecretBuilder()
                .withMetadata(tokenMeta)
                .withType("kubernetes.io/service-account-token")
                .build());
        out.add(new RoleBuilder()
                .withMetadata(shared(InfraNames.CONTROL_PLANE_SA, ns))
                .withRules(
                        rule("", List.of("services"), MANAGE),
                        rule("", List.of("pods"), List.of("get", "list", "watch")),
                        rule("apps", List.of("deployments"), MANAGE),
                        rule(InfraNames.MAPPING_GROUP, List.of("mappings"), MANAGE))
                .build());
        out.add(new RoleBindingBuilder()
                .withMetadata(shared(InfraNames.CONTROL_PLANE_SA, ns))
                .withNewRoleRef(RBAC, "Role", InfraNames.CONTROL_PLANE_SA)
                .withSubjects(subject(ns))
                .build());
        String role = clusterRoleName();
        ObjectMeta roleMeta = shared(role, null);
        roleMeta.setOwnerReferences(List.of(new OwnerReferenceBuilder()
                .withApiVersion("v1")
                .withKind("Namespace")
                .withName(ns)
                .withUid(namespaceUid)
                .build()));
        out.add(new ClusterRoleBuilder()
                .withMetadata(roleMeta)
                .withRules(
                        new PolicyRuleBuilder()
                                .withApiGroups("")
                                .withResources("namespaces")
                                .withResourceNames(ns)
                                .withVerbs("get", "delete")
                                .build(),
                        new PolicyRuleBuilder()
                                .withApiGroups(RBAC)
                                .withResources("clusterroles", "clusterrolebindings")
                                .withResourceNames(role)
                                .withVerbs("get", "delete")
                                .build())
                .build());
        ObjectMeta bindingMeta = shared(role, null);
        bindingMeta.setOwnerReferences(roleMeta.getOwnerReferences());
        out.add(new ClusterRoleBindingBuilder()
                .withMetadata(bindingMeta)
                .withNewRoleRef(RBAC, "ClusterRole", role)
                .withSubjects(subject(ns))
                .build());
        return out;
    }

    /** The add-on itself: a Deployment (no API access of its own), its NodePort Service, its gateway route. */
    public List<HasMetadata> services() {
        String ns = namespace();
        Map<String, String> selector =
                Map.of(ADDON_LABEL, id, InfraNames.COMPONENT_LABEL, kind.wire().replace('_', '-'));
        List<HasMetadata> out = new ArrayList<>();
        out.add(new DeploymentBuilder()
                .withMetadata(meta(workload(), ns))
                .withNewSpec()
                .withReplicas(1)
                .withNewSelector()
                .withMatchLabels(selector)
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(labels())
                .endMetadata()
                .withNewSpec()
                .withAutomountServiceAccountToken(false)
                .withSecurityContext(PodSecurity.pod())
                .withContainers(new ContainerBuilder()
                        .withName(kind.wire().replace('_', '-'))
                        .withImage(image)
                        .withImagePullPolicy("IfNotPresent")
                        .addNewPort()
                        .withName("http")
                        .withContainerPort(port())
                        .withProtocol("TCP")
                        .endPort()
                        .addNewEnv()
                        .withName("AIOS_ADDON_ID")
                        .withValue(id)
                        .endEnv()
                        .withNewReadinessProbe()
                        .withNewTcpSocket()
                        .withPort(new IntOrString("http"))
                        .endTcpSocket()
                        .withPeriodSeconds(5)
                        .endReadinessProbe()
                        .withNewResources()
                        .withRequests(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("256Mi")))
                        .endResources()
                        .withSecurityContext(PodSecurity.container(false))
                        .build())
                .endSpec()
                .endTemplate()
                .endSpec()
                .build());
        out.add(new ServiceBuilder()
                .withMetadata(meta(workload(), ns))
                .withNewSpec()
                .withType("NodePort")
                .withSelector(selector)
                .addNewPort()
                .withName("http")
                .withProtocol("TCP")
                .withPort(port())
                .withTargetPort(new IntOrString("http"))
                .withNodePort(nodePort)
                .endPort()
                .endSpec()
                .build());
        if (gatewayPrefix() != null) {
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("hostname", "*");
            spec.put("prefix", gatewayPrefix());
            spec.put("service", workload() + "." + ns + ":" + port());
            out.add(new GenericKubernetesResourceBuilder()
                    .withApiVersion(InfraNames.MAPPING_GROUP + "/" + InfraNames.MAPPING_VERSION)
                    .withKind("Mapping")
                    .withMetadata(meta(workload(), ns))
                    .withAdditionalProperties(Map.of("spec", spec))
                    .build());
        }
        return out;
    }

    private static final List<String> MANAGE = List.of("get", "list", "watch", "create", "update", "patch", "delete");

    private static io.fabric8.kubernetes.api.model.rbac.PolicyRule rule(
            String group, List<String> resources, List<String> verbs) {
        return new PolicyRuleBuilder()
                .withApiGroups(group)
                .withResources(resources)
                .withVerbs(verbs)
                .build();
    }

    private static io.fabric8.kubernetes.api.model.rbac.Subject subject(String ns) {
        return new SubjectBuilder()
                .withKind("ServiceAccount")
                .withName(InfraNames.CONTROL_PLANE_SA)
                .withNamespace(ns)
                .build();
    }

    private ObjectMeta meta(String name, String namespace) {
        return new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(namespace)
                .withLabels(labels())
                .build();
    }

    private ObjectMeta shared(String name, String namespace) {
        return new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(namespace)
                .withLabels(sharedLabels())
                .build();
    }
}
