package network.aios.server.infra;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import network.aios.api.ClusterDocument;
import network.aios.member.desired.AgentSecrets;
import network.aios.member.desired.DesiredState;
import network.aios.member.desired.InfraSettings;
import network.aios.server.auth.Principal;
import network.aios.server.clusters.ClusterService;
import network.aios.store.ClusterRecord;

/**
 * The manifests a cluster's infrastructure consists of, rendered for review from its registration (the
 * namespace's uid and every credential shown as placeholders): what {@code aios cluster infra render} and
 * {@code GET .../infra/manifests} show, and what a kubectl apply of them would make.
 */
public final class InfraManifests {
    private final ClusterService clusters;
    private final InfraSettings settings;

    InfraManifests(ClusterService clusters, InfraSettings settings) {
        this.clusters = clusters;
        this.settings = settings;
    }

    /** {@link #objects} as one multi-document YAML stream. */
    public String yaml(Principal who, String clusterId) {
        StringBuilder yaml = new StringBuilder();
        for (HasMetadata o : objects(who, clusterId)) {
            String doc = Serialization.asYaml(o);
            yaml.append(doc.startsWith("---") ? doc : "---\n" + doc);
        }
        return yaml.toString();
    }

    /** The objects in apply order; a 404 when the cluster is not the caller's. */
    public List<HasMetadata> objects(Principal who, String clusterId) {
        ClusterRecord cluster = clusters.get(who, clusterId);
        List<HasMetadata> all = new ArrayList<>();
        all.add(DesiredState.namespace(clusterId));
        all.addAll(DesiredState.bootstrap(
                clusterId,
                "<uid of namespace aios-system>",
                ClusterDocument.of(cluster.document()).allowsExternalNodes()));
        all.addAll(DesiredState.services(ClusterDocument.of(cluster.document()), settings, AgentSecrets.placeholder()));
        for (HasMetadata o : all) {
            // every secret value shown as <redacted>, readable (not base64)
            if (o instanceof Secret s && s.getData() != null) {
                Map<String, String> shown = new TreeMap<>();
                s.getData().keySet().forEach(k -> shown.put(k, "<redacted>"));
                s.setData(null);
                s.setStringData(shown);
            }
        }
        return all;
    }
}
