package network.aios.api;

import java.util.Arrays;
import java.util.Optional;

/**
 * The add-on registries of the seed's "Deploying Add-on Services", each registered with a body whose
 * fields carry the kind's prefix ({@code asset_registry_name}, {@code inference_server_public_url}, …).
 */
public enum AddonKind {
    CONTAINER_REGISTRY("container_registry"),
    ASSET_REGISTRY("asset_registry"),
    INFERENCE_SERVER("inference_server");

    private final String wire;

    AddonKind(String wire) {
        this.wire = wire;
    }

    /** The path segment and the field prefix, e.g. {@code asset_registry}. */
    public String wire() {
        return wire;
    }

    public String field(String suffix) {
        return wire + "_" + suffix;
    }

    public static Optional<AddonKind> fromWire(String s) {
        return Arrays.stream(values()).filter(k -> k.wire.equals(s)).findFirst();
    }
}
