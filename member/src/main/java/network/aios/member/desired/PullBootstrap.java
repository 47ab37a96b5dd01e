package network.aios.member.desired;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvFromSourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the owner applies to join a cluster in pull mode ({@code kubectl apply -f -}): the namespace (Pod Security
 * {@code restricted}), the same least-privilege identity push mode bootstraps for the control plane (here the pull
 * agent runs as it, so it has exactly the rights the control plane would have had, and no more), the single-use
 * bootstrap token, where the control plane is (its CA pinned when it serves its own) and the pull agent itself.
 * Nothing here grants more than this cluster.
 */
public final class PullBootstrap {
    /** The pull agent's Deployment, and the label value that names its pods. */
    public static final String AGENT = "aios-pull-agent";
    /** The Secret holding the bootstrap token (key {@value #TOKEN_KEY}). */
    public static final String BOOTSTRAP_SECRET = "aios-pull-bootstrap";

    public static final String TOKEN_KEY = "token";
    /** The ConfigMap saying where the control plane is. */
    public static final String CONFIGMAP = "aios-pull";

    private static final String TOKEN_MOUNT = "/etc/aios/bootstrap";

    private PullBootstrap() {}

    public static List<HasMetadata> objects(
            String clusterId, InfraSettings settings, String bootstrapToken, boolean externalNodes) {
        List<HasMetadata> out = new ArrayList<>();
        out.add(DesiredState.namespace(clusterId));
        out.addAll(DesiredState.bootstrap(clusterId, null, externalNodes));
        Map<String, String> labels = labels(clusterId);
        out.add(new SecretBuilder()
                .withMetadata(meta(BOOTSTRAP_SECRET, labels))
                .withType("Opaque")
                .withStringData(Map.of(TOKEN_KEY, bootstrapToken))
                .build());
        Map<String, String> config = new LinkedHashMap<>();
        config.put("AIOS_CONTROL_PLANE_URL", settings.controlPlaneUrl());
        if (settings.controlPlaneCa() != null) {
            config.put("AIOS_CONTROL_PLANE_CA", settings.controlPlaneCa()); // public: pinned, not the JDK's trust
        }
        out.add(new ConfigMapBuilder()
                .withMetadata(meta(CONFIGMAP, labels))
                .withData(config)
                .build());
        out.add(agent(labels, settings));
        return out;
    }

    /** The objects as one YAML stream, for {@code kubectl apply -f -}. */
    public static String manifest(
            String clusterId, InfraSettings settings, String bootstrapToken, boolean externalNodes) {
        StringBuilder yaml = new StringBuilder();
        yaml.append("# AIOS pull-mode join for cluster ").append(clusterId).append(": apply with kubectl apply -f -\n");
        yaml.append("# The bootstrap token in it is single-use and expires; keep this file private.\n");
        for (HasMetadata o : objects(clusterId, settings, bootstrapToken, externalNodes)) {
            String doc = Serialization.asYaml(o);
            yaml.append(doc.startsWith("---") ? doc : "---\n" + doc);
        }
        return yaml.toString();
    }

    private static Map<String, String> labels(String clusterId) {
        Map<String, String> labels = new LinkedHashMap<>(InfraNames.labels(clusterId));
        labels.put(InfraNames.COMPONENT_LABEL, AGENT);
        return labels;
    }

    private static io.fabric8.kubernetes.api.model.ObjectMeta meta(String name, Map<String, String> labels) {
        return new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(InfraNames.NAMESPACE)
                .withLabels(labels)
                .build();
    }

    private static HasMetadata agent(Map<String, String> labels, InfraSettings s) {
        return new DeploymentBuilder()
                .withMetadata(meta(AGENT, labels))
                .withNewSpec()
                .withReplicas(1)
                .withNewSelector()
                .withMatchLabels(labels)
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(labels)
                .endMetadata()
                .withNewSpec()
                .withServiceAccountName(InfraNames.CONTROL_PLANE_SA)
                .withSecurityContext(PodSecurity.pod())
                .withContainers(new ContainerBuilder()
                        .withName("agent")
                        .withImage(s.image())
                        .withImagePullPolicy(s.imagePullPolicy())
                        .withArgs("--role=pull", "--bootstrap-token-file=" + TOKEN_MOUNT + "/" + TOKEN_KEY)
                        .withEnvFrom(new EnvFromSourceBuilder()
                                .withNewConfigMapRef(CONFIGMAP, false)
                                .build())
                        .withResources(DesiredState.agentResources())
                        .withSecurityContext(PodSecurity.container(true))
                        .addNewVolumeMount()
                        .withName("tmp")
                        .withMountPath("/tmp")
                        .endVolumeMount()
                        .addNewVolumeMount()
                        .withName("bootstrap")
                        .withMountPath(TOKEN_MOUNT)
                        .withReadOnly(true)
                        .endVolumeMount()
                        .build())
                .addNewVolume()
                .withName("tmp")
                .withNewEmptyDir()
                .endEmptyDir()
                .endVolume()
                .addNewVolume()
                .withName("bootstrap")
                .withNewSecret()
                .withSecretName(BOOTSTRAP_SECRET)
                .withDefaultMode(0440)
                .endSecret()
                .endVolume()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }
}
