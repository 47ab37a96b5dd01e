package network.aios.member.desired;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import network.aios.api.ClusterDocument;

/**
 * A registered cluster's own AIOS services as a {@link DesiredSet}: wave {@value #SERVICES} (the four agents,
 * their configuration, credentials and NodePort Services, and their fixed gateway Mappings when the document
 * asks for the gateway), then wave {@value #ROUTES} (the dynamic gateway routes registered for it). The same
 * set whether the control plane applies it (push) or the cluster's pull agent does.
 */
public final class ClusterServices {
    public static final String SERVICES = "services";
    public static final String ROUTES = "routes";

    private ClusterServices() {}

    public static DesiredSet from(
            ClusterDocument doc, InfraSettings settings, AgentSecrets secrets, List<GatewayRoute> routes, Owner owner) {
        String id = doc.id();
        List<HasMetadata> services = owner.stampAll(DesiredState.services(doc, settings, secrets));
        List<HasMetadata> mappings = new ArrayList<>();
        if (doc.config() != null && doc.config().gateway()) {
            for (GatewayRoute r : routes) {
                mappings.add(r.mapping(id));
            }
        }
        owner.stampAll(mappings);
        List<HasMetadata> all = new ArrayList<>(services);
        all.addAll(mappings);
        List<DesiredSet.Kind> kinds = new ArrayList<>(DesiredSet.kindsOf(all));
        DesiredSet.Kind mapping =
                new DesiredSet.Kind(InfraNames.MAPPING_GROUP + "/" + InfraNames.MAPPING_VERSION, "Mapping");
        if (!kinds.contains(mapping)) {
            kinds.add(mapping); // routes deleted since the last apply are pruned even when none is left
        }
        return new DesiredSet(
                InfraNames.NAMESPACE,
                List.of(new DesiredSet.Wave(SERVICES, services), new DesiredSet.Wave(ROUTES, mappings)),
                new DesiredSet.Prune(InfraNames.NAMESPACE, Map.of(InfraNames.CLUSTER_LABEL, id), owner.stamp(), kinds),
                Arrays.stream(AgentRole.values()).map(InfraNames::workload).toList());
    }
}
