package network.aios.member.desired;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** One object on a member cluster, as recorded in the inventory. */
public record ObjectRef(String apiVersion, String kind, String namespace, String name, String uid) {
    public static ObjectRef of(HasMetadata o) {
        return new ObjectRef(
                o.getApiVersion(),
                o.getKind(),
                o.getMetadata().getNamespace(),
                o.getMetadata().getName(),
                o.getMetadata().getUid());
    }

    @Override
    public String toString() {
        return kind + " " + (namespace == null ? "" : namespace + "/") + name;
    }
}
