package network.aios.member.desired;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import network.aios.api.Json;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What one registration wants on a member cluster, as a value: the objects in the order they are applied
 * (waves), what may be pruned (the kinds, namespace and label selector an earlier apply may have left objects
 * of, and the owner stamp an object must carry to be pruned), and the Deployments whose availability means
 * ready. Built without a client, a clock or a database; push mode applies it with the control plane's own
 * identity, pull mode serves it to the agent on the cluster, which applies it with its own.
 */
public record DesiredSet(String namespace, List<Wave> waves, Prune prune, List<String> deployments) {
    /** Objects applied together, after the wave before them. */
    public record Wave(String name, List<HasMetadata> objects) {
        public Wave {
            objects = List.copyOf(objects);
        }
    }

    /** An API kind, as server-side apply and listing need it. */
    public record Kind(String apiVersion, String kind) {}

    /**
     * Which objects on the cluster are this registration's to delete when no wave names them: of these kinds,
     * in this namespace, matching this label selector, and carrying this stamp (annotation
     * {@link network.aios.member.desired.Owner#ANNOTATION}). Anything else is never touched.
     */
    public record Prune(String namespace, Map<String, String> selector, String stamp, List<Kind> kinds) {
        public Prune {
            selector = Map.copyOf(selector);
            kinds = List.copyOf(kinds);
        }
    }

    public DesiredSet {
        waves = List.copyOf(waves);
        deployments = List.copyOf(deployments);
    }

    /** The wave of that name, or an empty one. */
    public Wave wave(String name) {
        return waves.stream().filter(w -> w.name().equals(name)).findFirst().orElse(new Wave(name, List.of()));
    }

    /** Every object, wave after wave. */
    public List<HasMetadata> objects() {
        List<HasMetadata> all = new ArrayList<>();
        waves.forEach(w -> all.addAll(w.objects()));
        return all;
    }

    /** The objects of a wave as references (kind, namespace, name), in order. */
    public List<network.aios.member.desired.ObjectRef> refs(String wave) {
        return wave(wave).objects().stream()
                .map(network.aios.member.desired.ObjectRef::of)
                .toList();
    }

    /** The kinds of the objects, in order of first appearance. */
    static List<Kind> kindsOf(List<HasMetadata> objects) {
        Set<Kind> kinds = new LinkedHashSet<>();
        for (HasMetadata o : objects) {
            kinds.add(new Kind(o.getApiVersion(), o.getKind()));
        }
        return new ArrayList<>(kinds);
    }

    /**
     * A digest of everything that would be applied, secrets included (a rotated token or certificate is a new
     * revision): the same set gives the same revision in any run.
     */
    public String revision() {
        StringBuilder text = new StringBuilder();
        for (Wave w : waves) {
            text.append(w.name())
                    .append('\n')
                    .append(Fingerprint.of(w.objects()))
                    .append('\n');
        }
        return Fingerprint.digest(text.toString()).substring(0, 32);
    }

    /** The wire form served to a pull agent (docs/PULL.md), without {@code remove} and timing fields. */
    public ObjectNode toJson() {
        ObjectNode out = Json.object();
        out.put("revision", revision());
        ArrayNode ws = out.putArray("waves");
        for (Wave w : waves) {
            ObjectNode wn = ws.addObject().put("name", w.name());
            ArrayNode objects = wn.putArray("objects");
            for (HasMetadata o : w.objects()) {
                objects.add(Json.MAPPER.readTree(Serialization.asJson(o)));
            }
        }
        ObjectNode p = out.putObject("prune");
        p.put("namespace", prune.namespace());
        ObjectNode sel = p.putObject("selector");
        new java.util.TreeMap<>(prune.selector()).forEach(sel::put);
        p.put("stamp", prune.stamp());
        ArrayNode kinds = p.putArray("kinds");
        for (Kind k : prune.kinds()) {
            kinds.addObject().put("apiVersion", k.apiVersion()).put("kind", k.kind());
        }
        ArrayNode ds = out.putArray("deployments");
        deployments.forEach(ds::add);
        return out;
    }

    /** The selector as a label selector string ({@code k=v,k2=v2}). */
    public static String selectorText(Map<String, String> selector) {
        Map<String, String> sorted = new LinkedHashMap<>(new java.util.TreeMap<>(selector));
        List<String> parts = new ArrayList<>();
        sorted.forEach((k, v) -> parts.add(k + "=" + v));
        return String.join(",", parts);
    }
}
