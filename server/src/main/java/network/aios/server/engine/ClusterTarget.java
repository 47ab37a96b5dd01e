package network.aios.server.engine;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import network.aios.api.ClusterDocument;
import network.aios.api.Incarnation;
import network.aios.api.Json;
import network.aios.member.desired.AgentRole;
import network.aios.member.desired.ClusterServices;
import network.aios.member.desired.DesiredSet;
import network.aios.member.desired.DesiredState;
import network.aios.member.desired.GatewayRoute;
import network.aios.member.desired.InfraNames;
import network.aios.member.desired.InfraSettings;
import network.aios.member.desired.Owner;
import network.aios.server.auth.TokenService;
import network.aios.store.ClusterRecord;
import network.aios.store.ClusterStore;
import network.aios.store.GatewayRouteStore;
import network.aios.store.InfraPhase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/** A registered cluster's own AIOS services (controller, metrics, blocks, mgmt) in {@code aios-system}. */
final class ClusterTarget implements Target {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterTarget.class);
    private final String clusterId;
    private final Optional<ClusterRecord> cluster;
    private final ClusterStore clusters;
    private final TokenService tokens;
    private final InfraSettings settings;
    private final GatewayRouteStore routes;
    private final Clock clock;

    ClusterTarget(
            String clusterId,
            ClusterStore clusters,
            TokenService tokens,
            InfraSettings settings,
            GatewayRouteStore routes,
            Clock clock) {
        this.routes = routes;
        this.clusterId = clusterId;
        this.cluster = clusters.get(clusterId);
        this.clusters = clusters;
        this.tokens = tokens;
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public String key() {
        return clusterId;
    }

    @Override
    public boolean hasRoutes() {
        return true;
    }

    @Override
    public List<HasMetadata> routes() {
        if (cluster.isEmpty()) {
            return List.of();
        }
        return desired(network.aios.member.desired.AgentSecrets.placeholder())
                .wave(ClusterServices.ROUTES)
                .objects();
    }

    /**
     * The cluster's desired state, built by the same pure builder pull mode serves its agent ({@link
     * ClusterServices}); the registered routes read afresh.
     */
    private DesiredSet desired(network.aios.member.desired.AgentSecrets secrets) {
        List<GatewayRoute> gateway = new java.util.ArrayList<>();
        for (GatewayRouteStore.Route r : routes.list(clusterId)) {
            GatewayRoute.Kind kind = GatewayRoute.Kind.fromWire(r.kind());
            if (kind != null) {
                gateway.add(new GatewayRoute(kind, r.routeId(), r.service()));
            }
        }
        return ClusterServices.from(document(), settings, secrets, gateway, owner());
    }

    @Override
    public boolean registered() {
        return cluster.isPresent();
    }

    @Override
    public boolean hasInfrastructure() {
        return cluster.filter(
                        c -> !network.aios.api.ClusterStatus.REGISTERED.wire().equals(c.status()))
                .isPresent();
    }

    @Override
    public String namespace() {
        return InfraNames.NAMESPACE;
    }

    @Override
    public Owner owner() {
        return Owner.cluster(
                clusterId, cluster.map(c -> Incarnation.of(c.createdAt())).orElse(Target.UNREGISTERED));
    }

    @Override
    public boolean sharedNamespace() {
        return false;
    }

    @Override
    public HasMetadata namespaceObject() {
        return DesiredState.namespace(clusterId);
    }

    @Override
    public List<HasMetadata> bootstrap(String namespaceUid) {
        return owner().stampAll(DesiredState.bootstrap(
                clusterId,
                namespaceUid,
                cluster.map(c -> ClusterDocument.of(c.document()).allowsExternalNodes())
                        .orElse(false)));
    }

    @Override
    public boolean takesNodes() {
        return true;
    }

    @Override
    public boolean needsAgentToken() {
        return true;
    }

    @Override
    public List<HasMetadata> services(Credential credential) {
        return desired(new network.aios.member.desired.AgentSecrets(
                        credential.agentToken(),
                        credential.serving().certificatePem(),
                        credential.serving().keyPem()))
                .wave(ClusterServices.SERVICES)
                .objects();
    }

    @Override
    public String agentIdentity() {
        return network.aios.tls.AgentCa.identity(
                clusterId, cluster.orElseThrow().createdAt());
    }

    @Override
    public String fingerprint() {
        List<HasMetadata> all = new java.util.ArrayList<>();
        all.add(namespaceObject());
        all.addAll(bootstrap("<namespace-uid>"));
        all.addAll(desired(network.aios.member.desired.AgentSecrets.placeholder())
                .wave(ClusterServices.SERVICES)
                .objects());
        return network.aios.member.desired.Fingerprint.of(all);
    }

    @Override
    public List<String> deployments() {
        return Arrays.stream(AgentRole.values()).map(InfraNames::workload).toList();
    }

    @Override
    public String readyMessage() {
        return "the four services are available";
    }

    @Override
    public void provisioning(String actor) {
        clusters.setInfra(clusterId, InfraPhase.PROVISIONING, null, actor, clock.instant());
    }

    @Override
    public void ready(Credential credential) {
        String urlMap = Json.MAPPER.writeValueAsString(DesiredState.urlMap(document()));
        clusters.setInfra(clusterId, InfraPhase.READY, urlMap, "infra-job", clock.instant());
    }

    @Override
    public void failed() {
        if (cluster.isPresent()) {
            clusters.setInfra(clusterId, InfraPhase.FAILED, null, "infra-job", clock.instant());
        }
    }

    @Override
    public void deprovisioning(String actor) {
        clusters.setInfra(clusterId, InfraPhase.DEPROVISIONING, null, actor, clock.instant());
    }

    @Override
    public void removed(boolean clean, boolean deleteRegistration, String requestedBy, ObjectNode receipt) {
        tokens.revokeAgent(clusterId);
        routes.deleteAll(clusterId); // their Mappings were in the inventory, deleted with the rest
        boolean deleted = cluster.isPresent() && clean && deleteRegistration;
        if (deleted) {
            // asked for with ?cascade=true: its bound add-on registrations go with it
            clusters.delete(
                    clusterId, clusters.get(clusterId).orElseThrow().version(), true, requestedBy, clock.instant());
            LOG.info("cluster {} deleted from the registry after its infrastructure was removed", clusterId);
        } else if (cluster.isPresent()) {
            clusters.setInfra(clusterId, InfraPhase.NONE, null, "infra-job", clock.instant());
        }
        receipt.put("clusterDeleted", deleted);
    }

    private ClusterDocument document() {
        return ClusterDocument.of(
                cluster.orElseThrow(() -> new IllegalStateException("cluster " + clusterId + " is not registered"))
                        .document());
    }
}
