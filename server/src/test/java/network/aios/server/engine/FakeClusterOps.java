package network.aios.server.engine;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import network.aios.member.ClusterOps;
import network.aios.member.desired.ObjectRef;

/**
 * A member cluster in memory, for the job machinery's unit tests: objects by reference with a uid
 * and a revision, a control-plane token, Deployments that are ready or not, and failures to inject
 * (the next calls throw what was queued). Shared by every "connection" a test's connector opens; its
 * changes are synchronized, since a wave of applies runs at once. For preflight's reads, what the cluster
 * has already (nodes, Services, ConfigMaps, CRDs, namespaces) is {@link #put} there, and the access
 * reviews answer no to what is {@link #denied}.
 */
class FakeClusterOps implements ClusterOps {
    /** One stored object: what was applied last, its uid and revision, and whether someone edited it since. */
    record Stored(HasMetadata object, String uid, int revision, boolean edited) {}

    final Map<String, Stored> objects = new LinkedHashMap<>();
    final Deque<RuntimeException> failures = new ArrayDeque<>();
    /** Calls that always fail, by the start of the call's description (e.g. "apply Mapping"). */
    final Map<String, RuntimeException> failing = new LinkedHashMap<>();

    final List<String> calls = new ArrayList<>();
    final List<String> notReady = new ArrayList<>();
    boolean tokenReady = true;
    /** Runs while a readiness look is under way, after its answer was read (a change that lands mid-look). */
    Runnable duringNotReady = () -> {};

    boolean namespaceGone = true;

    static String key(ObjectRef r) {
        return r.apiVersion() + "/" + r.kind() + "/" + (r.namespace() == null ? "" : r.namespace()) + "/" + r.name();
    }

    static KubernetesClientException answer(int code, String message) {
        return new KubernetesClientException(message, code, null);
    }

    /** Someone on the cluster changed it (a new revision) or deleted it. */
    synchronized void edit(String kind, String name) {
        String k = find(kind, name);
        Stored s = objects.get(k);
        objects.put(k, new Stored(s.object(), s.uid(), s.revision() + 1, true));
    }

    synchronized void remove(String kind, String name) {
        objects.remove(find(kind, name));
    }

    synchronized boolean has(String kind, String name) {
        return objects.keySet().stream().anyMatch(k -> k.contains("/" + kind + "/") && k.endsWith("/" + name));
    }

    private String find(String kind, String name) {
        return objects.keySet().stream()
                .filter(k -> k.contains("/" + kind + "/") && k.endsWith("/" + name))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + kind + " " + name));
    }

    private synchronized void maybeFail(String call) {
        calls.add(call);
        if (!failures.isEmpty()) {
            throw failures.poll();
        }
        failing.forEach((prefix, failure) -> {
            if (call.startsWith(prefix)) {
                throw failure;
            }
        });
    }

    @Override
    public String version() {
        maybeFail("version");
        return "v1.30.0-fake";
    }

    /**
     * What the identity may not do, as preflight names it: {@code "<verb> <resource>"} for the core group,
     * else {@code "<verb> <group>/<resource>"} (e.g. {@code "create rbac.authorization.k8s.io/clusterroles"}).
     */
    final java.util.Set<String> denied = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Override
    public boolean may(String verb, String group, String resource, String namespace) {
        maybeFail("may");
        return !denied.contains(verb + " " + (group.isEmpty() ? "" : group + "/") + resource);
    }

    /** Something the cluster has that the control plane did not apply (a node, a Service, a CRD, a namespace). */
    synchronized void put(HasMetadata o) {
        objects.put(key(ObjectRef.of(o)), new Stored(o, UUID.randomUUID().toString(), 1, false));
    }

    /** The objects of {@code kind} as the API server would answer them. */
    private List<HasMetadata> all(String kind) {
        return objects.values().stream()
                .filter(s -> kind.equals(s.object().getKind()))
                .map(FakeClusterOps::answer)
                .toList();
    }

    /** While set, an apply waits for it to open (a step held mid-apply); an interrupt ends the wait. */
    volatile java.util.concurrent.CountDownLatch applyGate;

    /** Whether an apply held by {@link #applyGate} was interrupted (as fabric8 reports it: an exception). */
    final java.util.concurrent.atomic.AtomicBoolean interruptedInApply =
            new java.util.concurrent.atomic.AtomicBoolean();

    /** How many applies are held by {@link #applyGate} right now. */
    final java.util.concurrent.atomic.AtomicInteger held = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public Applied apply(HasMetadata desired) {
        java.util.concurrent.CountDownLatch gate = applyGate;
        if (gate != null) {
            held.incrementAndGet();
            try {
                gate.await();
            } catch (InterruptedException e) {
                interruptedInApply.set(true);
                throw new KubernetesClientException("interrupted", e);
            } finally {
                held.decrementAndGet();
            }
        }
        return applyNow(desired);
    }

    private synchronized Applied applyNow(HasMetadata desired) {
        ObjectRef ref = ObjectRef.of(desired);
        maybeFail("apply " + ref);
        String k = key(ref);
        Stored before = objects.get(k);
        // like server-side apply: a new object, a change (or taking back an edit) moves the revision on
        Stored after = before == null
                ? new Stored(desired, UUID.randomUUID().toString(), 1, false)
                : before.edited() || !before.object().equals(desired)
                        ? new Stored(desired, before.uid(), before.revision() + 1, false)
                        : before;
        objects.put(k, after);
        return new Applied(
                new ObjectRef(ref.apiVersion(), ref.kind(), ref.namespace(), ref.name(), after.uid()),
                "r" + after.revision(),
                before == null ? null : "r" + before.revision());
    }

    @Override
    public Optional<String> controlPlaneToken(String namespace, java.time.Duration wait) {
        maybeFail("token");
        return tokenReady ? Optional.of("sa-token") : Optional.empty();
    }

    @Override
    public List<ObjectRef> labelled(String apiVersion, String kind, String namespace, String label, String value) {
        maybeFail("labelled " + kind);
        return objects.values().stream()
                .map(Stored::object)
                .filter(o -> o.getApiVersion().equals(apiVersion)
                        && o.getKind().equals(kind)
                        && namespace.equals(o.getMetadata().getNamespace())
                        && o.getMetadata().getLabels() != null
                        && value.equals(o.getMetadata().getLabels().get(label)))
                .map(ObjectRef::of)
                .toList();
    }

    /** What a watch on the namespace's Deployments would be told: a test calls it. */
    final List<Runnable> deploymentWatchers = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public AutoCloseable watchDeployments(String namespace, Runnable onChange) {
        maybeFail("watchDeployments");
        deploymentWatchers.add(onChange);
        return () -> deploymentWatchers.remove(onChange);
    }

    @Override
    public List<String> notReady(String namespace, List<String> deployments) {
        maybeFail("notReady");
        List<String> answer = List.copyOf(notReady);
        duringNotReady.run();
        return answer;
    }

    private static final io.fabric8.kubernetes.client.utils.KubernetesSerialization SERIALIZATION =
            new io.fabric8.kubernetes.client.utils.KubernetesSerialization();

    /** The namespaces' annotations written by merge patch (claims), apart from what was applied. */
    final Map<String, Map<String, String>> namespaceAnnotations = new LinkedHashMap<>();

    /** Runs when a removal lists what lives in a namespace, before it answers: another writer meanwhile. */
    Runnable onDeployments = () -> {};

    /** A namespace being deleted (set by a test): what a removal of someone else left terminating. */
    final java.util.Set<String> terminating = new java.util.HashSet<>();

    /** The stored object as the API server would answer it: a copy with its uid and resource version. */
    private static HasMetadata answer(Stored s) {
        HasMetadata copy = SERIALIZATION.clone(s.object());
        copy.getMetadata().setUid(s.uid());
        copy.getMetadata().setResourceVersion("r" + s.revision());
        return copy;
    }

    @Override
    public synchronized Optional<HasMetadata> get(ObjectRef ref) {
        maybeFail("get " + ref);
        return Optional.ofNullable(objects.get(key(ref))).map(FakeClusterOps::answer);
    }

    @Override
    public synchronized Deletion delete(ObjectRef ref, String resourceVersion) {
        maybeFail("delete " + ref);
        Stored s = objects.get(key(ref));
        if (s == null) {
            return Deletion.ALREADY_GONE;
        }
        if (resourceVersion != null && !("r" + s.revision()).equals(resourceVersion)) {
            return Deletion.CONFLICT;
        }
        if ("Namespace".equals(ref.kind()) && !namespaceGone) {
            terminating.add(ref.name()); // its finalizers run: gone once the test says namespaceGone
            return Deletion.DELETED;
        }
        objects.remove(key(ref));
        return Deletion.DELETED;
    }

    private static ObjectRef namespaceRef(String name) {
        return new ObjectRef("v1", "Namespace", null, name, null);
    }

    /** The uid of this cluster's kube-system namespace (a test points a kubeconfig at another cluster by changing it). */
    volatile String clusterUid = "kube-system-uid-1";

    @Override
    public Optional<String> clusterUid() {
        maybeFail("clusterUid");
        return Optional.ofNullable(clusterUid);
    }

    @Override
    public synchronized Optional<network.aios.member.desired.Owner.NamespaceState> namespace(String name) {
        maybeFail("namespace " + name);
        if (namespaceGone && terminating.remove(name)) {
            objects.remove(key(namespaceRef(name)));
        }
        return Optional.ofNullable(objects.get(key(namespaceRef(name)))).map(s -> namespaceState(name, s));
    }

    private network.aios.member.desired.Owner.NamespaceState namespaceState(String name, Stored s) {
        Map<String, String> annotations = new LinkedHashMap<>();
        if (s.object().getMetadata().getAnnotations() != null) {
            annotations.putAll(s.object().getMetadata().getAnnotations());
        }
        annotations.putAll(namespaceAnnotations.getOrDefault(name, Map.of()));
        return new network.aios.member.desired.Owner.NamespaceState(
                name,
                s.uid(),
                "r" + s.revision(),
                terminating.contains(name),
                s.object().getMetadata().getLabels(),
                annotations);
    }

    @Override
    public synchronized Optional<network.aios.member.desired.Owner.NamespaceState> annotateNamespace(
            String name, String key, String value) {
        maybeFail("annotateNamespace " + name);
        String k = key(namespaceRef(name));
        Stored s = objects.get(k);
        if (s == null) {
            return Optional.empty();
        }
        Map<String, String> a = namespaceAnnotations.computeIfAbsent(name, n -> new LinkedHashMap<>());
        if (value == null) {
            a.remove(key);
        } else {
            a.put(key, value);
        }
        Stored after = new Stored(s.object(), s.uid(), s.revision() + 1, s.edited());
        objects.put(k, after);
        return Optional.of(namespaceState(name, after));
    }

    @Override
    public synchronized List<HasMetadata> deployments(String namespace) {
        maybeFail("deployments " + namespace);
        onDeployments.run();
        return objects.values().stream()
                .filter(s -> "Deployment".equals(s.object().getKind())
                        && namespace.equals(s.object().getMetadata().getNamespace()))
                .map(FakeClusterOps::answer)
                .toList();
    }

    @Override
    public boolean namespaceGone(String namespace) {
        maybeFail("namespaceGone");
        return namespaceGone;
    }

    @Override
    public synchronized List<Node> nodes() {
        maybeFail("nodes");
        return all("Node").stream().map(Node.class::cast).toList();
    }

    @Override
    public synchronized List<Service> services() {
        maybeFail("services");
        return all("Service").stream().map(Service.class::cast).toList();
    }

    @Override
    public synchronized Optional<Service> service(String namespace, String name) {
        maybeFail("service " + namespace + "/" + name);
        return Optional.ofNullable(objects.get(key(new ObjectRef("v1", "Service", namespace, name, null))))
                .map(FakeClusterOps::answer)
                .map(Service.class::cast);
    }

    @Override
    public synchronized boolean hasConfigMap(String namespace, String name) {
        maybeFail("configMap " + namespace + "/" + name);
        return objects.containsKey(key(new ObjectRef("v1", "ConfigMap", namespace, name, null)));
    }

    /** ConfigMap data the fake answers {@link #configMapData} from: "namespace/name/key" to the value. */
    final java.util.Map<String, String> configMapData = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public Optional<String> configMapData(String namespace, String name, String key) {
        maybeFail("configMap " + namespace + "/" + name);
        return Optional.ofNullable(configMapData.get(namespace + "/" + name + "/" + key));
    }

    @Override
    public synchronized Applied createOnce(HasMetadata desired) {
        ObjectRef ref = ObjectRef.of(desired);
        maybeFail("create " + ref);
        Stored before = objects.get(key(ref));
        Stored after =
                before != null ? before : new Stored(desired, UUID.randomUUID().toString(), 1, false);
        objects.put(key(ref), after);
        return new Applied(
                new ObjectRef(ref.apiVersion(), ref.kind(), ref.namespace(), ref.name(), after.uid()),
                "r" + after.revision(),
                before == null ? null : "r" + before.revision());
    }

    @Override
    public synchronized boolean hasCrd(String name) {
        maybeFail("crd " + name);
        return objects.containsKey(
                key(new ObjectRef("apiextensions.k8s.io/v1", "CustomResourceDefinition", null, name, null)));
    }

    @Override
    public void close() {}
}
