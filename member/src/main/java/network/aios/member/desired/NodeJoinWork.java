package network.aios.member.desired;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import network.aios.api.Json;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a pull agent is asked to do about external nodes' bootstrap tokens (docs/PULL.md, {@code nodeJoins}): the
 * {@link NodeJoin#bootstrapSecret} Secrets to create, and those to delete, each only as it was made (its uid and
 * resourceVersion). Pure: the tokens are given opened; {@link #digest()} never covers a token's secret.
 */
public record NodeJoinWork(List<Create> create, List<Delete> delete) {
    /** {@code host:port}: a DNS name or IPv4 address, or an IPv6 address in brackets; what kubeadm join takes. */
    private static final Pattern ENDPOINT =
            Pattern.compile("(\\[[0-9A-Fa-f:.]{2,45}\\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?):([0-9]{1,5})");

    private static final Pattern CA_CERT_HASH = Pattern.compile("sha256:[0-9a-f]{64}");

    public NodeJoinWork {
        create = List.copyOf(create);
        delete = List.copyOf(delete);
    }

    /** A token whose Secret is to be made, valid until {@code expires}; {@code toString} never shows the secret. */
    public record Create(String clusterId, String nodeId, NodeJoin.Token token, Instant expires) {}

    /** A Secret made earlier, to be deleted only if it is still the one made: same uid, same resourceVersion. */
    public record Delete(String tokenId, String uid, String resourceVersion) {
        public String name() {
            return NodeJoin.secretName(tokenId);
        }
    }

    public boolean isEmpty() {
        return create.isEmpty() && delete.isEmpty();
    }

    /**
     * The wire form: {@code {"create": [<Secret>...], "delete": [{"namespace", "name", "uid",
     * "resourceVersion"}...]}}. It carries the tokens: it goes to the cluster's agent and nowhere else (never a log).
     */
    public ObjectNode toJson() {
        ObjectNode out = Json.object();
        ArrayNode c = out.putArray("create");
        for (Create x : create) {
            c.add(Json.MAPPER.readTree(
                    Serialization.asJson(NodeJoin.bootstrapSecret(x.clusterId(), x.nodeId(), x.token(), x.expires()))));
        }
        ArrayNode d = out.putArray("delete");
        for (Delete x : delete) {
            d.addObject()
                    .put("namespace", NodeJoin.NAMESPACE)
                    .put("name", x.name())
                    .put("uid", x.uid())
                    .put("resourceVersion", x.resourceVersion());
        }
        return out;
    }

    /**
     * A digest of the work that changes whenever the work does (a token to make, its expiry, a Secret to delete and
     * the version it is deleted at), made of nothing secret: the token ids are the Secrets' names already.
     */
    public String digest() {
        StringBuilder text = new StringBuilder();
        for (Create x : create) {
            text.append("create ")
                    .append(x.clusterId())
                    .append('/')
                    .append(x.nodeId())
                    .append(' ')
                    .append(x.token().id())
                    .append(' ')
                    .append(x.expires())
                    .append('\n');
        }
        for (Delete x : delete) {
            text.append("delete ")
                    .append(x.tokenId())
                    .append(' ')
                    .append(x.uid())
                    .append(' ')
                    .append(x.resourceVersion())
                    .append('\n');
        }
        return Fingerprint.digest(text.toString());
    }

    /**
     * Whether {@code endpoint} is what a pull agent may report as its cluster's join endpoint (and a join command
     * names): {@code host:port}, the host a DNS name, an IPv4 address or an IPv6 address in brackets, port 1-65535.
     */
    public static boolean endpointWellFormed(String endpoint) {
        if (endpoint == null) {
            return false;
        }
        var m = ENDPOINT.matcher(endpoint);
        if (!m.matches()) {
            return false;
        }
        int port = Integer.parseInt(m.group(3));
        return port >= 1 && port <= 65535;
    }

    /** Whether {@code hash} is a discovery pin as kubeadm takes it: {@code sha256:} and 64 lowercase hex digits. */
    public static boolean caCertHashWellFormed(String hash) {
        return hash != null && CA_CERT_HASH.matcher(hash).matches();
    }
}
