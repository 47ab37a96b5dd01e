package network.aios.server.engine;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import network.aios.api.AddonKind;
import network.aios.api.Incarnation;
import network.aios.member.desired.AddonDeployment;
import network.aios.member.desired.Owner;
import network.aios.store.AddonRecord;
import network.aios.store.AddonStore;
import network.aios.store.ClusterRecord;
import network.aios.store.ClusterStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** A policy executor or model split runner the control plane deploys onto a member cluster. */
final class AddonTarget implements Target {
    private static final Logger LOG = LoggerFactory.getLogger(AddonTarget.class);
    private final AddonKind kind;
    private final String id;
    private final Optional<AddonRecord> addon;
    private final AddonStore addons;
    private final ClusterStore clusters;
    private final Clock clock;

    AddonTarget(AddonKind kind, String id, AddonStore addons, ClusterStore clusters, Clock clock) {
        this.kind = kind;
        this.id = id;
        this.addon = addons.get(kind.wire(), id);
        this.addons = addons;
        this.clusters = clusters;
        this.clock = clock;
    }

    private AddonDeployment deployment() {
        return AddonDeployment.forRegistration(
                kind,
                id,
                addon.orElseThrow(() -> new IllegalStateException(kind.wire() + " " + id + " is not registered"))
                        .document());
    }

    @Override
    public String key() {
        return kind.infraKey(id);
    }

    @Override
    public boolean registered() {
        return addon.isPresent();
    }

    @Override
    public boolean hasInfrastructure() {
        return addon.filter(a -> a.infraStatus() != null && !"none".equals(a.infraStatus()))
                .isPresent();
    }

    @Override
    public String namespace() {
        return AddonDeployment.of(kind, id, null, null).namespace();
    }

    @Override
    public Owner owner() {
        return Owner.addon(
                kind, id, addon.map(a -> Incarnation.of(a.createdAt())).orElse(Target.UNREGISTERED));
    }

    @Override
    public boolean sharedNamespace() {
        return true;
    }

    @Override
    public HasMetadata namespaceObject() {
        return deployment().namespaceObject();
    }

    @Override
    public List<HasMetadata> bootstrap(String namespaceUid) {
        return deployment().bootstrap(namespaceUid);
    }

    @Override
    public boolean needsAgentToken() {
        return false;
    }

    @Override
    public List<HasMetadata> services(Credential credential) {
        return owner().stampAll(deployment().services());
    }

    @Override
    public String fingerprint() {
        AddonDeployment d = deployment();
        List<HasMetadata> all = new java.util.ArrayList<>();
        all.add(d.namespaceObject());
        all.addAll(d.bootstrap("<namespace-uid>"));
        all.addAll(services(null));
        return network.aios.member.desired.Fingerprint.of(all);
    }

    @Override
    public List<String> deployments() {
        return List.of(id);
    }

    @Override
    public String readyMessage() {
        return "the " + kind.wire().replace('_', ' ') + " is available";
    }

    @Override
    public void provisioning(String actor) {
        addons.setInfra(id, "provisioning", false, null, actor, clock.instant());
    }

    /**
     * Ready: the add-on's URL is what its registration says, or else its NodePort on the bound cluster's
     * public host name, the split runner's public host, or the API server's host (NodePorts answer on
     * every node).
     */
    @Override
    public void ready(Credential credential) {
        AddonRecord a = addon.orElseThrow();
        JsonNode registered = a.document().get(kind.field("public_url"));
        String url = registered != null && registered.isString() ? registered.asString() : null;
        if (url == null) {
            url = "http://" + host(a, credential) + ":" + deployment().nodePort();
        }
        addons.setInfra(id, "ready", true, url, "infra-job", clock.instant());
    }

    private String host(AddonRecord a, Credential credential) {
        JsonNode publicHost = a.document().get(kind.field("public_host"));
        if (publicHost != null && publicHost.isString()) {
            return publicHost.asString();
        }
        Optional<String> clusterHost = Optional.ofNullable(a.clusterId())
                .flatMap(clusters::get)
                .map(ClusterRecord::document)
                .map(d -> d.path("config").path("publicHostname").asString(null));
        return clusterHost.orElseGet(() -> URI.create(credential.server()).getHost());
    }

    @Override
    public void failed() {
        if (addon.isPresent()) {
            addons.setInfra(id, "failed", false, null, "infra-job", clock.instant());
        }
    }

    @Override
    public void deprovisioning(String actor) {
        addons.setInfra(id, "deprovisioning", false, null, actor, clock.instant());
    }

    @Override
    public void removed(boolean clean, boolean deleteRegistration, String requestedBy, ObjectNode receipt) {
        boolean deleted = addon.isPresent()
                && clean
                && deleteRegistration
                && addons.delete(kind.wire(), id, requestedBy, clock.instant());
        if (deleted) {
            LOG.info("{} {} deleted from the registry after its infrastructure was removed", kind.wire(), id);
        } else if (addon.isPresent()) {
            // a URL the control plane derived goes with the deployment; one the owner registered stays
            JsonNode registered = addon.get().document().get(kind.field("public_url"));
            boolean derived = registered == null || registered.isNull();
            addons.setInfra(id, null, derived, null, "infra-job", clock.instant());
        }
        receipt.put("addonDeleted", deleted);
    }
}
