package network.aios.member;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import network.aios.member.desired.InfraNames;
import network.aios.member.desired.ObjectRef;
import network.aios.member.desired.Owner;

/** {@link ClusterOps} over the fabric8 client: the product's way to a member cluster. */
public final class Fabric8ClusterOps implements ClusterOps {
    private final KubernetesClient client;

    /** A client for one member cluster, its connections made through {@code http} (the egress guard's). */
    public Fabric8ClusterOps(Config config, io.fabric8.kubernetes.client.http.HttpClient.Factory http) {
        this.client = new KubernetesClientBuilder()
                .withConfig(config)
                .withHttpClientFactory(http)
                .build();
    }

    @Override
    public String version() {
        return client.getKubernetesVersion().getGitVersion();
    }

    @Override
    public boolean may(String verb, String group, String resource, String namespace) {
        SelfSubjectAccessReview review = new SelfSubjectAccessReviewBuilder()
                .withNewSpec()
                .withNewResourceAttributes()
                .withVerb(verb)
                .withGroup(group)
                .withResource(resource)
                .withNamespace(namespace)
                .endResourceAttributes()
                .endSpec()
                .build();
        return Boolean.TRUE.equals(client.authorization()
                .v1()
                .selfSubjectAccessReview()
                .create(review)
                .getStatus()
                .getAllowed());
    }

    @Override
    public Applied apply(HasMetadata desired) {
        HasMetadata current = generic(ObjectRef.of(desired)).get();
        HasMetadata applied = client.resource(desired)
                .fieldManager(InfraNames.FIELD_MANAGER)
                .forceConflicts()
                .serverSideApply();
        return new Applied(
                ObjectRef.of(applied),
                ClusterOps.revisionOf(applied),
                current == null ? null : ClusterOps.revisionOf(current));
    }

    @Override
    public List<io.fabric8.kubernetes.api.model.Node> nodes() {
        return client.nodes().list().getItems();
    }

    @Override
    public List<Service> services() {
        return client.services().inAnyNamespace().list().getItems();
    }

    @Override
    public Optional<Service> service(String namespace, String name) {
        return Optional.ofNullable(
                client.services().inNamespace(namespace).withName(name).get());
    }

    @Override
    public boolean hasConfigMap(String namespace, String name) {
        return client.configMaps().inNamespace(namespace).withName(name).get() != null;
    }

    @Override
    public Optional<String> configMapData(String namespace, String name, String key) {
        io.fabric8.kubernetes.api.model.ConfigMap cm =
                client.configMaps().inNamespace(namespace).withName(name).get();
        return Optional.ofNullable(cm).map(c -> c.getData()).map(d -> d.get(key));
    }

    @Override
    public Applied createOnce(HasMetadata desired) {
        try {
            HasMetadata created = client.resource(desired).create();
            return new Applied(ObjectRef.of(created), created.getMetadata().getResourceVersion(), null);
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            HasMetadata existing;
            try {
                existing = generic(ObjectRef.of(desired)).get();
            } catch (io.fabric8.kubernetes.client.KubernetesClientException refused) {
                if (refused.getCode() != 403) {
                    throw refused;
                }
                // an identity that may create but not read (a bootstrap token in kube-system): it is there
                return new Applied(ObjectRef.of(desired), null, "");
            }
            if (existing == null) {
                throw e; // deleted again meanwhile: the next attempt makes it
            }
            String revision = existing.getMetadata().getResourceVersion();
            return new Applied(ObjectRef.of(existing), revision, revision);
        }
    }

    @Override
    public boolean hasCrd(String name) {
        return client.apiextensions()
                        .v1()
                        .customResourceDefinitions()
                        .withName(name)
                        .get()
                != null;
    }

    @Override
    public Optional<String> controlPlaneToken(String namespace, java.time.Duration wait) {
        var secret = client.secrets().inNamespace(namespace).withName(InfraNames.CONTROL_PLANE_TOKEN_SECRET);
        Optional<String> token = token(secret.get());
        if (token.isPresent() || wait.isZero() || wait.isNegative()) {
            return token;
        }
        try {
            return token(secret.waitUntilCondition(s -> token(s).isPresent(), wait.toMillis(), TimeUnit.MILLISECONDS));
        } catch (KubernetesClientTimeoutException e) {
            return Optional.empty();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 403) {
                return Optional.empty(); // may get the Secret but not watch it: the caller looks again later
            }
            throw e;
        }
    }

    private static Optional<String> token(Secret s) {
        if (s == null || s.getData() == null || s.getData().get("token") == null) {
            return Optional.empty();
        }
        return Optional.of(new String(Base64.getDecoder().decode(s.getData().get("token")), StandardCharsets.UTF_8));
    }

    @Override
    public List<ObjectRef> labelled(String apiVersion, String kind, String namespace, String label, String value) {
        try {
            return client
                    .genericKubernetesResources(apiVersion, kind)
                    .inNamespace(namespace)
                    .withLabel(label, value)
                    .list()
                    .getItems()
                    .stream()
                    .map(ObjectRef::of)
                    .toList();
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            if (e.getCode() == 404) {
                return List.of(); // the kind is not served here
            }
            throw e;
        }
    }

    @Override
    public AutoCloseable watchDeployments(String namespace, Runnable onChange) {
        io.fabric8.kubernetes.client.Watch watch = client.apps()
                .deployments()
                .inNamespace(namespace)
                .watch(new io.fabric8.kubernetes.client.Watcher<>() {
                    @Override
                    public void eventReceived(Action action, Deployment resource) {
                        onChange.run();
                    }

                    @Override
                    public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {
                        // the polls go on without it
                    }
                });
        return watch::close;
    }

    @Override
    public List<String> notReady(String namespace, List<String> deployments) {
        List<String> waiting = new ArrayList<>();
        for (String name : deployments) {
            Deployment d = client.apps()
                    .deployments()
                    .inNamespace(namespace)
                    .withName(name)
                    .get();
            int want = d == null || d.getSpec().getReplicas() == null
                    ? 1
                    : d.getSpec().getReplicas();
            int have = d == null || d.getStatus() == null || d.getStatus().getAvailableReplicas() == null
                    ? 0
                    : d.getStatus().getAvailableReplicas();
            if (have < want) {
                waiting.add(name + " (" + have + "/" + want + " available)");
            }
        }
        return waiting;
    }

    /** One object of any kind, namespaced or cluster-scoped. */
    private io.fabric8.kubernetes.client.dsl.Resource<io.fabric8.kubernetes.api.model.GenericKubernetesResource>
            generic(ObjectRef ref) {
        var kind = client.genericKubernetesResources(ref.apiVersion(), ref.kind());
        return ref.namespace() == null
                ? kind.withName(ref.name())
                : kind.inNamespace(ref.namespace()).withName(ref.name());
    }

    @Override
    public Optional<HasMetadata> get(ObjectRef ref) {
        try {
            return Optional.ofNullable(generic(ref).get());
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return Optional.empty(); // the kind is not served here
            }
            throw e;
        }
    }

    @Override
    public Deletion delete(ObjectRef ref, String resourceVersion) {
        try {
            List<io.fabric8.kubernetes.api.model.StatusDetails> details = "Namespace".equals(ref.kind())
                    ? client.namespaces()
                            .withName(ref.name())
                            .lockResourceVersion(resourceVersion)
                            .delete()
                    : resourceVersion == null
                            ? generic(ref).delete()
                            : generic(ref).lockResourceVersion(resourceVersion).delete();
            return details == null || details.isEmpty() ? Deletion.ALREADY_GONE : Deletion.DELETED;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return Deletion.CONFLICT;
            }
            if (e.getCode() == 404) {
                return Deletion.ALREADY_GONE;
            }
            throw e;
        }
    }

    @Override
    public Optional<String> clusterUid() {
        try {
            return namespace("kube-system").map(Owner.NamespaceState::uid);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 403) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public Optional<Owner.NamespaceState> namespace(String name) {
        return Optional.ofNullable(client.namespaces().withName(name).get()).map(Owner.NamespaceState::of);
    }

    @Override
    public Optional<Owner.NamespaceState> annotateNamespace(String name, String key, String value) {
        java.util.Map<String, String> annotation = new java.util.HashMap<>();
        annotation.put(key, value); // null removes it (RFC 7396)
        String patch = network.aios.api.Json.MAPPER.writeValueAsString(
                java.util.Map.of("metadata", java.util.Map.of("annotations", annotation)));
        try {
            return Optional.of(Owner.NamespaceState.of(client.namespaces()
                    .withName(name)
                    .patch(
                            new io.fabric8.kubernetes.client.dsl.base.PatchContext.Builder()
                                    .withPatchType(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE)
                                    .withFieldManager(InfraNames.CLAIMS_FIELD_MANAGER)
                                    .build(),
                            patch)));
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public List<HasMetadata> deployments(String namespace) {
        return List.copyOf(
                client.apps().deployments().inNamespace(namespace).list().getItems());
    }

    @Override
    public boolean namespaceGone(String namespace) {
        try {
            return client.namespaces().withName(namespace).get() == null;
        } catch (KubernetesClientException e) {
            KubeFailure f = KubeFailure.of(e);
            if (f == KubeFailure.UNAUTHORIZED || f == KubeFailure.FORBIDDEN) {
                return true;
            }
            throw e;
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
