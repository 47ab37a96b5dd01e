package network.aios.server.addons;

import java.util.List;
import network.aios.api.AddonKind;
import network.aios.api.FieldError;
import network.aios.api.TargetKey;
import network.aios.member.Kubeconfigs;
import network.aios.server.auth.Principal;
import network.aios.server.domain.DomainException;
import network.aios.server.infra.InfraService;
import network.aios.store.AddonRecord;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Policy executors and split runners: registered like the other add-ons, then deployed onto a member
 * cluster by the infra job machinery (the owner's kubeconfig sets up a least-privilege identity and
 * is dropped; removal ends with a receipt).
 */
public final class AddonDeployments {
    private final AddonService addons;
    private final InfraService infra;

    public AddonDeployments(AddonService addons, InfraService infra) {
        this.addons = addons;
        this.infra = infra;
    }

    /** A registration and, when a kubeconfig came with it, its deployment job. */
    public record Registered(AddonRecord addon, InfraService.Scheduled job) {}

    /**
     * The seed's {@code POST /split-runner}: the body carries the kubeconfig ({@code kubeconfigField})
     * next to the registration. Everything is checked first (document, kubeconfig, preflight), so a
     * refused request stores nothing; the kubeconfig is never part of the stored document.
     */
    public Registered registerAndDeploy(Principal who, AddonKind kind, JsonNode body, String kubeconfigField) {
        if (!(body instanceof ObjectNode object)) {
            throw DomainException.invalid(List.of(new FieldError("", "must be a JSON object")));
        }
        ObjectNode doc = object.deepCopy();
        JsonNode kubeconfig = doc.remove(kubeconfigField);
        AddonRecord candidate = addons.prepare(who, kind, doc);
        if (kubeconfig == null || kubeconfig.isNull()) {
            return new Registered(addons.insert(who, candidate), null);
        }
        Kubeconfigs.Parsed parsed = infra.checkAddon(who, candidate, kubeconfig, "/" + kubeconfigField);
        AddonRecord stored = addons.insert(who, candidate);
        try {
            return new Registered(stored, infra.scheduleAddon(who, stored, parsed));
        } catch (RuntimeException e) {
            addons.delete(who, kind, stored.id());
            throw e;
        }
    }

    public InfraService.Scheduled deploy(
            Principal who, AddonKind kind, String id, JsonNode kubeconfig, String pointer) {
        return infra.createAddon(who, addons.get(who, kind, id), kubeconfig, pointer);
    }

    /**
     * Removes the add-on's infrastructure with the stored credential, or with a kubeconfig if one is
     * given; the seed's removal sends {@code {"provider": "kubernetes"}}, which names no cluster and
     * means "use what you stored".
     */
    public InfraService.Scheduled remove(
            Principal who, AddonKind kind, String id, JsonNode kubeconfig, String pointer, boolean thenDelete) {
        AddonRecord a = addons.get(who, kind, id);
        JsonNode given = kubeconfig;
        if (given != null && given.isObject() && given.size() == 1 && given.has("provider")) {
            given = null;
        }
        return infra.removeAddon(who, a, given, pointer, thenDelete);
    }

    /** The add-on's latest infra job and what its deployment put on the cluster; a 404 when not the caller's. */
    public InfraService.Status status(Principal who, AddonKind kind, String id) {
        AddonRecord a = addons.get(who, kind, id);
        String key = TargetKey.addon(kind, id).toString();
        return new InfraService.Status(infra.latestSince(key, a.createdAt()), infra.inventory(key));
    }
}
