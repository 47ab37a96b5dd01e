package network.aios.member;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import network.aios.api.kubeconfig.Kubeconfig;
import network.aios.api.kubeconfig.KubeconfigException;
import network.aios.api.kubeconfig.KubeconfigParser;
import tools.jackson.databind.JsonNode;

/**
 * fabric8 client configurations, built by hand from a {@link Kubeconfig} we parsed ourselves. This is
 * the only place a fabric8 {@code Config} is made: no kubeconfig text ever reaches fabric8's own
 * loader, and nothing here reads the environment, system properties or a kubeconfig file (checked by
 * an ArchUnit rule in the agent module's tests).
 */
public final class Kubeconfigs {
    private Kubeconfigs() {}

    /** A usable kubeconfig: what we parsed, and the client configuration built from it. */
    public record Parsed(Kubeconfig kubeconfig, Config config) {
        /** Our own re-serialisation (never the owner's text): what is sealed while a job needs it. */
        public String text() {
            return kubeconfig.canonicalJson();
        }

        public String context() {
            return kubeconfig.context();
        }

        public String server() {
            return kubeconfig.server().toString();
        }

        public String caData() {
            return kubeconfig.caData();
        }

        public boolean insecure() {
            return kubeconfig.insecure();
        }

        /** Never prints credentials: records would otherwise print every field. */
        @Override
        public String toString() {
            return kubeconfig.toString();
        }
    }

    /** Parses an owner's kubeconfig (JSON object, YAML text or base64) and builds its client configuration. */
    public static Parsed parse(JsonNode data, String at, boolean allowInsecure) throws KubeconfigException {
        Kubeconfig kc = new KubeconfigParser(allowInsecure).parse(data, at);
        return new Parsed(kc, config(kc));
    }

    /** The client configuration for a parsed kubeconfig; no files, no plugins, no environment. */
    public static Config config(Kubeconfig kc) {
        ConfigBuilder b = new ConfigBuilder(Config.empty())
                .withMasterUrl(kc.server().toString())
                .withCaCertData(kc.caData())
                .withTrustCerts(kc.insecure())
                .withDisableHostnameVerification(kc.insecure())
                .withOauthToken(kc.token())
                .withClientCertData(kc.clientCertData())
                .withClientKeyData(kc.clientKeyData())
                .withUsername(kc.username())
                .withPassword(kc.password());
        if (kc.namespace() != null) {
            b.withNamespace(kc.namespace());
        }
        return tune(b).build();
    }

    /** A client configuration for a bearer token against a known server and CA. */
    public static Config forToken(String server, String caData, boolean insecure, String token) {
        return config(
                new Kubeconfig("aios", URI.create(server), caData, insecure, token, null, null, null, null, null));
    }

    /**
     * The configuration of a process running in a pod: the API server from the environment Kubernetes
     * sets, and the pod's ServiceAccount token and CA, the token re-read on every request (it rotates).
     */
    public static Config inCluster(String host, String port, Path tokenFile, Path caFile) {
        String h = host.contains(":") ? "[" + host + "]" : host;
        ConfigBuilder b = new ConfigBuilder(Config.empty())
                .withMasterUrl("https://" + h + ":" + port)
                .withCaCertData(java.util.Base64.getEncoder()
                        .encodeToString(read(caFile).getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .withOauthTokenProvider(() -> read(tokenFile).trim());
        return tune(b).build();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + p, e);
        }
    }

    /**
     * Timeouts short enough for a job step, and no retries inside the client: the job loop owns the one
     * retry policy (the client's own backoff would multiply it and outlast the job's lease).
     */
    private static ConfigBuilder tune(ConfigBuilder b) {
        return b.withConnectionTimeout(5_000).withRequestTimeout(10_000).withRequestRetryBackoffLimit(0);
    }
}
