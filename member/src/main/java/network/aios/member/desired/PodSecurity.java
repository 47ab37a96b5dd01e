package network.aios.member.desired;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Pod Security Admission's {@code restricted} profile, for what the control plane deploys: the labels that
 * make the API server enforce it on our namespaces (so the control plane's own identity, which may
 * create Deployments there, cannot run a privileged or host-path pod), the security contexts that pass
 * it, and a checker of those rules for the rendered objects (API servers before 1.22 don't enforce it).
 */
public final class PodSecurity {
    /** Enforce, audit and warn at {@code restricted}, latest version. */
    public static final Map<String, String> NAMESPACE_LABELS = Map.of(
            "pod-security.kubernetes.io/enforce", "restricted",
            "pod-security.kubernetes.io/enforce-version", "latest",
            "pod-security.kubernetes.io/audit", "restricted",
            "pod-security.kubernetes.io/warn", "restricted");
    /** The distroless "nonroot" user: whatever the image says, never root. */
    public static final long NON_ROOT_UID = 65532;

    private static final List<String> ALLOWED_VOLUMES = List.of(
            "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret");

    private PodSecurity() {}

    public static PodSecurityContext pod() {
        return new PodSecurityContextBuilder()
                .withRunAsNonRoot(true)
                .withRunAsUser(NON_ROOT_UID)
                .withRunAsGroup(NON_ROOT_UID)
                .withFsGroup(NON_ROOT_UID)
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .build();
    }

    public static SecurityContext container(boolean readOnlyRoot) {
        return new SecurityContextBuilder()
                .withRunAsNonRoot(true)
                .withAllowPrivilegeEscalation(false)
                .withPrivileged(false)
                .withReadOnlyRootFilesystem(readOnlyRoot)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .build();
    }

    /** What in {@code spec} the restricted profile forbids; empty when it passes. */
    public static List<String> violations(PodSpec spec) {
        List<String> out = new ArrayList<>();
        PodSecurityContext p = spec.getSecurityContext();
        if (Boolean.TRUE.equals(spec.getHostNetwork())
                || Boolean.TRUE.equals(spec.getHostPID())
                || Boolean.TRUE.equals(spec.getHostIPC())) {
            out.add("host namespaces");
        }
        for (Volume v : spec.getVolumes() == null ? List.<Volume>of() : spec.getVolumes()) {
            if (v.getHostPath() != null || ALLOWED_VOLUMES.stream().noneMatch(t -> volumeHas(v, t))) {
                out.add("volume " + v.getName() + " of a type the profile forbids");
            }
        }
        List<Container> all = new ArrayList<>(spec.getContainers());
        if (spec.getInitContainers() != null) {
            all.addAll(spec.getInitContainers());
        }
        for (Container c : all) {
            SecurityContext s = c.getSecurityContext();
            String at = "container " + c.getName() + ": ";
            if (s != null && Boolean.TRUE.equals(s.getPrivileged())) {
                out.add(at + "privileged");
            }
            if (s == null || !Boolean.FALSE.equals(s.getAllowPrivilegeEscalation())) {
                out.add(at + "allowPrivilegeEscalation must be false");
            }
            Capabilities caps = s == null ? null : s.getCapabilities();
            if (caps == null || caps.getDrop() == null || !caps.getDrop().contains("ALL")) {
                out.add(at + "capabilities must drop ALL");
            }
            if (caps != null
                    && caps.getAdd() != null
                    && caps.getAdd().stream().anyMatch(a -> !a.equals("NET_BIND_SERVICE"))) {
                out.add(at + "adds capabilities beyond NET_BIND_SERVICE");
            }
            boolean nonRoot = s != null && s.getRunAsNonRoot() != null
                    ? s.getRunAsNonRoot()
                    : p != null && Boolean.TRUE.equals(p.getRunAsNonRoot());
            if (!nonRoot) {
                out.add(at + "runAsNonRoot must be true");
            }
            Long uid = s != null && s.getRunAsUser() != null ? s.getRunAsUser() : p == null ? null : p.getRunAsUser();
            if (Objects.equals(uid, 0L)) {
                out.add(at + "runs as uid 0");
            }
            String seccomp = s != null && s.getSeccompProfile() != null
                    ? s.getSeccompProfile().getType()
                    : p != null && p.getSeccompProfile() != null
                            ? p.getSeccompProfile().getType()
                            : null;
            if (!"RuntimeDefault".equals(seccomp) && !"Localhost".equals(seccomp)) {
                out.add(at + "seccompProfile must be RuntimeDefault or Localhost");
            }
            if (c.getPorts() != null
                    && c.getPorts().stream().anyMatch(x -> x.getHostPort() != null && x.getHostPort() != 0)) {
                out.add(at + "host ports");
            }
        }
        return out;
    }

    private static boolean volumeHas(Volume v, String type) {
        return switch (type) {
            case "configMap" -> v.getConfigMap() != null;
            case "csi" -> v.getCsi() != null;
            case "downwardAPI" -> v.getDownwardAPI() != null;
            case "emptyDir" -> v.getEmptyDir() != null;
            case "ephemeral" -> v.getEphemeral() != null;
            case "persistentVolumeClaim" -> v.getPersistentVolumeClaim() != null;
            case "projected" -> v.getProjected() != null;
            case "secret" -> v.getSecret() != null;
            default -> false;
        };
    }
}
