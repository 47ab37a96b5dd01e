package network.aios.member.desired;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import network.aios.api.kubeconfig.StrictYaml;
import tools.jackson.databind.JsonNode;

/**
 * What an external node's {@code kubeadm join} needs, as kubeadm itself reads it: a bootstrap token (a
 * {@code bootstrap.kubernetes.io/token} Secret in {@code kube-system}: token id and secret, expiration, the
 * authentication and signing usages, the group kubeadm's node bootstrap RBAC binds), and the discovery pin (the
 * SHA-256 of the cluster CA's SubjectPublicKeyInfo, which {@code --discovery-token-ca-cert-hash} names). The
 * endpoint and CA come from {@code kube-public/cluster-info}, the ConfigMap kubeadm's own discovery fetches.
 */
public final class NodeJoin {
    private NodeJoin() {}

    /** Where bootstrap tokens live. */
    public static final String NAMESPACE = "kube-system";
    /** The group kubeadm binds to the node bootstrapper and CSR auto-approval roles. */
    public static final String KUBEADM_GROUP = "system:bootstrappers:kubeadm:default-node-token";
    /** The label naming the node a token was issued for. */
    public static final String NODE_LABEL = "aios.network/node-id";

    /** kubeadm's token shape: a 6-character id and a 16-character secret, {@code [a-z0-9]}. */
    private static final Pattern ID = Pattern.compile("[a-z0-9]{6}");

    private static final Pattern SECRET = Pattern.compile("[a-z0-9]{16}");

    /**
     * An API server address as a join command may name it: {@code https://}, a DNS name or an IP (IPv6 in
     * brackets), an optional port, an optional path; no user info, query, fragment, space or shell character (the
     * text is a command a node runs as root).
     */
    private static final Pattern SERVER = Pattern.compile(
            "https://([A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]{2,45}\\])(?::([0-9]{1,5}))?"
                    + "(?:/[A-Za-z0-9._~/-]*)?");

    /** A bootstrap token; {@link #toString()} never shows the secret. */
    public record Token(String id, String secret) {
        public Token {
            if (id == null
                    || !ID.matcher(id).matches()
                    || secret == null
                    || !SECRET.matcher(secret).matches()) {
                throw new IllegalArgumentException("a bootstrap token is [a-z0-9]{6}.[a-z0-9]{16}");
            }
        }

        /** {@code id.secret} read back; an {@link IllegalArgumentException} for anything else. */
        public static Token parse(String value) {
            int dot = value == null ? -1 : value.indexOf('.');
            if (dot < 0) {
                throw new IllegalArgumentException("a bootstrap token is [a-z0-9]{6}.[a-z0-9]{16}");
            }
            return new Token(value.substring(0, dot), value.substring(dot + 1));
        }

        /** {@code id.secret}, what {@code kubeadm join --token} takes. */
        public String value() {
            return id + "." + secret;
        }

        @Override
        public String toString() {
            return "Token[" + id + ".****************]";
        }
    }

    /** The name kubeadm and the API server's bootstrap authenticator look a token up by. */
    public static String secretName(String tokenId) {
        return "bootstrap-token-" + tokenId;
    }

    /**
     * The token's Secret: valid until {@code expires} (the API server refuses it after that, and a cluster's token
     * cleaner deletes it), for authentication and for signing {@code cluster-info} (kubeadm's discovery checks
     * that signature), in kubeadm's node group; labelled as the control plane's for {@code clusterId}'s node
     * {@code nodeId}.
     */
    public static Secret bootstrapSecret(String clusterId, String nodeId, Token token, Instant expires) {
        return bootstrapSecret(clusterId, nodeId, token, expires, null);
    }

    /**
     * As above, owned by the namespace of uid {@code namespaceUid} (the AIOS namespace; null: none): removing the
     * infrastructure then takes a token nobody used with it.
     */
    public static Secret bootstrapSecret(
            String clusterId, String nodeId, Token token, Instant expires, String namespaceUid) {
        Map<String, String> labels = new LinkedHashMap<>(InfraNames.labels(clusterId));
        labels.put(NODE_LABEL, nodeId);
        Map<String, String> data = new LinkedHashMap<>();
        data.put("description", "AIOS external node join: " + clusterId + "/" + nodeId);
        data.put("token-id", token.id());
        data.put("token-secret", token.secret());
        data.put(
                "expiration",
                DateTimeFormatter.ISO_INSTANT.format(expires.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
        data.put("usage-bootstrap-authentication", "true");
        data.put("usage-bootstrap-signing", "true");
        data.put("auth-extra-groups", KUBEADM_GROUP);
        io.fabric8.kubernetes.api.model.ObjectMetaBuilder meta = new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                .withName(secretName(token.id()))
                .withNamespace(NAMESPACE)
                .withLabels(labels);
        if (namespaceUid != null) {
            meta.withOwnerReferences(new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
                    .withApiVersion("v1")
                    .withKind("Namespace")
                    .withName(InfraNames.NAMESPACE)
                    .withUid(namespaceUid)
                    .build());
        }
        return new SecretBuilder()
                .withMetadata(meta.build())
                .withType("bootstrap.kubernetes.io/token")
                .withStringData(data)
                .build();
    }

    /** The cluster's API endpoint and its CA's discovery hash, as {@code cluster-info} gives them. */
    public record ClusterInfo(String endpoint, String caCertHash) {
        /** The whole command a node runs. */
        public String joinCommand(Token token) {
            return "kubeadm join " + endpoint + " --token " + token.value() + " --discovery-token-ca-cert-hash "
                    + caCertHash;
        }
    }

    /**
     * Reads {@code kube-public/cluster-info}'s {@code kubeconfig} (text from the member cluster: parsed strictly,
     * only the first cluster's {@code server} and {@code certificate-authority-data} used); empty when it has
     * neither or they do not parse. The endpoint is the server's host and port ({@code kubeadm join} takes no
     * scheme).
     */
    public static Optional<ClusterInfo> clusterInfo(String kubeconfigText) {
        if (kubeconfigText == null) {
            return Optional.empty();
        }
        JsonNode kc;
        try {
            kc = StrictYaml.parse(kubeconfigText);
        } catch (StrictYaml.YamlRefused e) {
            return Optional.empty();
        }
        JsonNode cluster = kc.path("clusters").path(0).path("cluster");
        String server = cluster.path("server").asString("");
        String ca = cluster.path("certificate-authority-data").asString("");
        java.util.regex.Matcher m = SERVER.matcher(server);
        if (!m.matches() || ca.isEmpty()) {
            return Optional.empty();
        }
        int port = m.group(2) == null ? 443 : Integer.parseInt(m.group(2));
        if (port < 1 || port > 65535) {
            return Optional.empty();
        }
        try {
            byte[] pem = java.util.Base64.getDecoder().decode(ca.strip());
            return Optional.of(new ClusterInfo(m.group(1) + ":" + port, caCertHash(pem)));
        } catch (IllegalArgumentException | CertificateException e) {
            return Optional.empty();
        }
    }

    /**
     * {@code sha256:<hex>} of the CA certificate's SubjectPublicKeyInfo (DER), the pin kubeadm checks; {@code
     * certificate} is PEM or DER.
     */
    public static String caCertHash(byte[] certificate) throws CertificateException {
        X509Certificate cert = (X509Certificate)
                CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(certificate));
        try {
            byte[] spki = cert.getPublicKey().getEncoded(); // X.509 SubjectPublicKeyInfo
            return "sha256:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(spki));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
