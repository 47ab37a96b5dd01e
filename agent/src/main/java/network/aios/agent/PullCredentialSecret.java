package network.aios.agent;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * The pull credential of an agent in a pod: Secret {@value #NAME} in the agent's namespace, key {@value #KEY},
 * written by server-side apply as the agent's own field manager. A pod's filesystem does not outlive it; the
 * Secret does, and only the agent's identity (and the cluster's admins) may read it. When it was kept is an
 * annotation, written with it.
 */
final class PullCredentialSecret implements PullCredentialStore {
    static final String NAME = "aios-pull-credential";
    static final String KEY = "credential";
    static final String STORED_AT = "aios.network/credential-stored-at";
    private final KubernetesClient kube;
    private final String namespace;
    private final Clock clock;

    PullCredentialSecret(KubernetesClient kube, String namespace, Clock clock) {
        this.kube = kube;
        this.namespace = namespace;
        this.clock = clock;
    }

    @Override
    public Optional<Credential> load() throws IOException {
        Secret s;
        try {
            s = kube.secrets().inNamespace(namespace).withName(NAME).get();
        } catch (KubernetesClientException e) {
            throw new IOException("cannot read Secret " + where() + ": " + e.getMessage(), e);
        }
        if (s == null || s.getData() == null || s.getData().get(KEY) == null) {
            return Optional.empty();
        }
        String secret = new String(Base64.getDecoder().decode(s.getData().get(KEY)), StandardCharsets.UTF_8).trim();
        return secret.isEmpty() ? Optional.empty() : Optional.of(new Credential(secret, storedAt(s)));
    }

    @Override
    public Credential save(String secret) throws IOException {
        Instant now = clock.instant();
        Secret s = new SecretBuilder()
                .withNewMetadata()
                .withName(NAME)
                .withNamespace(namespace)
                .withAnnotations(Map.of(STORED_AT, now.toString()))
                .endMetadata()
                .withType("Opaque")
                .withData(Map.of(KEY, Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8))))
                .build();
        try {
            kube.secrets()
                    .inNamespace(namespace)
                    .resource(s)
                    .fieldManager(PullDesired.DEFAULT_FIELD_MANAGER)
                    .forceConflicts()
                    .serverSideApply();
        } catch (KubernetesClientException e) {
            throw new IOException("cannot write Secret " + where() + ": HTTP " + e.getCode(), e);
        }
        return new Credential(secret, now);
    }

    @Override
    public String where() {
        return "Secret " + namespace + "/" + NAME;
    }

    private static Instant storedAt(Secret s) {
        Map<String, String> a = s.getMetadata().getAnnotations();
        String at = a != null && a.get(STORED_AT) != null
                ? a.get(STORED_AT)
                : s.getMetadata().getCreationTimestamp();
        try {
            return at == null ? Instant.EPOCH : Instant.parse(at);
        } catch (DateTimeParseException e) {
            return Instant.EPOCH; // unknown: old enough to be rotated now
        }
    }
}
