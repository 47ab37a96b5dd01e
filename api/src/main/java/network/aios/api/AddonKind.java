package network.aios.api;

import java.util.Arrays;
import java.util.Optional;

/**
 * The add-ons of the seed's "Deploying Add-on Services", each registered with a body whose fields
 * carry the kind's prefix ({@code asset_registry_name}, {@code inference_server_public_url}, …).
 * Policy executors and model split runners are also deployed by the control plane onto a member
 * cluster: they have a NodePort (the seed's), and executors a gateway route.
 */
public enum AddonKind {
    CONTAINER_REGISTRY("container_registry", "/container_registry", 0),
    ASSET_REGISTRY("asset_registry", "/asset_registry", 0),
    INFERENCE_SERVER("inference_server", "/inference_server", 0),
    /** Seed: "External: http://&lt;public-ip&gt;:30900". */
    EXECUTOR("executor", "/executor", 30900),
    /** Seed: "If successful, NodePort 31701 will be exposed." */
    SPLIT_RUNNER("split_runner", "/split-runner", 31701);

    private final String wire;
    private final String path;
    private final int defaultNodePort;

    AddonKind(String wire, String path, int defaultNodePort) {
        this.wire = wire;
        this.path = path;
        this.defaultNodePort = defaultNodePort;
    }

    /** The field prefix and the stored kind, e.g. {@code asset_registry}. */
    public String wire() {
        return wire;
    }

    /** The HTTP path the seed registers it at, e.g. {@code /split-runner}. */
    public String path() {
        return path;
    }

    public String field(String suffix) {
        return wire + "_" + suffix;
    }

    /** Whether the control plane deploys it onto a member cluster (create-infra / remove-infra). */
    public boolean deployable() {
        return defaultNodePort > 0;
    }

    /** The NodePort the seed gives it; 0 for kinds the control plane does not deploy. */
    public int defaultNodePort() {
        return defaultNodePort;
    }

    /** How its infrastructure is keyed among infra jobs: never equal to a cluster id (those have no '/'). */
    public String infraKey(String id) {
        return wire + "/" + id;
    }

    public static Optional<AddonKind> fromWire(String s) {
        return Arrays.stream(values()).filter(k -> k.wire.equals(s)).findFirst();
    }
}
