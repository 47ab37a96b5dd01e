package network.aios.member.desired;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import network.aios.api.FieldError;
import network.aios.api.Names;

/**
 * A route registered by id on a cluster's gateway (the owner's Ambassador, NodePort 32000), as the
 * seed lists them: {@code /tasks/<server-id>} (an adhoc inference server), {@code /block/<block-id>}
 * (a block's services), {@code /<vdag-controller-id>} (a vDAG controller). Each is a Mapping in
 * {@code aios-system} to a named Service ({@code name.namespace:port}).
 */
public record GatewayRoute(Kind kind, String id, String service) {
    /** The three kinds of dynamic route. */
    public enum Kind {
        TASK("task", "/tasks/"),
        BLOCK("block", "/block/"),
        VDAG("vdag", "/");

        private final String wire;
        private final String prefix;

        Kind(String wire, String prefix) {
            this.wire = wire;
            this.prefix = prefix;
        }

        public String wire() {
            return wire;
        }

        public static Kind fromWire(String s) {
            for (Kind k : values()) {
                if (k.wire.equals(s)) {
                    return k;
                }
            }
            return null;
        }
    }

    /** First path segments taken by the AIOS services and the other dynamic routes: no vDAG may use them. */
    public static final Set<String> RESERVED =
            Set.of("controller", "metrics", "blocks", "mgmt", "tasks", "block", "executor");

    private static final Pattern SERVICE =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(:[0-9]{1,5})?");

    /** Checks a request body {@code {kind, id, service}}; errors at JSON pointers. */
    public static List<FieldError> check(String kind, String id, String service) {
        List<FieldError> errors = new ArrayList<>();
        Kind k = kind == null ? null : Kind.fromWire(kind);
        if (k == null) {
            errors.add(new FieldError("/kind", "must be one of task, block, vdag"));
        }
        if (id == null || !Names.isDns1123Label(id)) {
            errors.add(new FieldError(
                    "/id", "must be a DNS-1123 label (the inference server's, block's or vDAG " + "controller's id)"));
        } else if (k == Kind.VDAG && RESERVED.contains(id)) {
            errors.add(new FieldError(
                    "/id",
                    "'" + id + "' is taken by a fixed route (" + String.join(", ", new java.util.TreeSet<>(RESERVED))
                            + ")"));
        }
        if (service == null
                || service.length() > 253
                || !SERVICE.matcher(service).matches()) {
            errors.add(new FieldError("/service", "must name a Service: name.namespace[:port]"));
        }
        return errors;
    }

    public String prefix() {
        return kind.prefix + id + "/";
    }

    /** The Mapping's name: kind and id, unique per cluster. */
    public String name() {
        return "aios-route-" + kind.wire + "-" + id;
    }

    public GenericKubernetesResource mapping(String clusterId) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("hostname", "*");
        spec.put("prefix", prefix());
        spec.put("service", service);
        Map<String, String> labels = new LinkedHashMap<>(InfraNames.labels(clusterId));
        labels.put(InfraNames.COMPONENT_LABEL, "route");
        return new GenericKubernetesResourceBuilder()
                .withApiVersion(InfraNames.MAPPING_GROUP + "/" + InfraNames.MAPPING_VERSION)
                .withKind("Mapping")
                .withMetadata(new ObjectMetaBuilder()
                        .withName(name())
                        .withNamespace(InfraNames.NAMESPACE)
                        .withLabels(labels)
                        .build())
                .withAdditionalProperties(Map.of("spec", spec))
                .build();
    }
}
