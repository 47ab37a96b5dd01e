package network.aios.api;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A management command the control plane allows, for an agent to carry out: the cluster, the command
 * and its arguments, who asked, a nonce and a validity of seconds, signed with the control plane's
 * Ed25519 key ({@code base64url(payload) + "." + base64url(signature)}). The agent checks it against the
 * public key published in its ConfigMap and refuses replays; no network token ever reaches an agent.
 */
public final class Grant {
    /** How long a grant is valid; the agent allows this much clock skew too. */
    public static final Duration VALIDITY = Duration.ofSeconds(60);

    public static final Duration SKEW = Duration.ofSeconds(30);
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder D64 = Base64.getUrlDecoder();

    private Grant() {}

    /** Signs {@code payload} (its exact bytes are what the signature covers). */
    public static String sign(ObjectNode payload, PrivateKey key) {
        byte[] bytes = Json.bytes(payload);
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(bytes);
            return B64.encodeToString(bytes) + "." + B64.encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is part of every Java 17 runtime", e);
        }
    }

    /** A public key from its base64 X.509 (SubjectPublicKeyInfo) encoding, as the ConfigMap carries it. */
    public static PublicKey publicKey(String base64) {
        try {
            return KeyFactory.getInstance("Ed25519")
                    .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64.trim())));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not an Ed25519 public key (base64 X.509)", e);
        }
    }

    /** A grant that does not hold; the message says why, never echoing the grant. */
    public static final class Rejected extends Exception {
        public Rejected(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The payload of a grant that is signed by {@code key}, for {@code clusterId}, and valid at {@code now}.
     * Replays are the caller's to refuse (by the payload's nonce, until its expiry).
     */
    public static JsonNode verify(String grant, PublicKey key, String clusterId, Instant now) throws Rejected {
        return verify(grant, key, clusterId, null, null, now);
    }

    /**
     * As above, and bound to one registration and one run of the agent: {@code incarnation} (when the agent
     * knows its own) must be the grant's ({@code inc}): a grant for the id registered again by someone else is
     * refused by the earlier registration's agent. A grant issued before {@code notBefore} (the agent's start)
     * is refused: which of those were used is what the agent forgot when it restarted.
     */
    public static JsonNode verify(
            String grant, PublicKey key, String clusterId, String incarnation, Instant notBefore, Instant now)
            throws Rejected {
        if (grant == null || grant.length() > 16_384) {
            throw new Rejected("no grant, or one too large");
        }
        int dot = grant.indexOf('.');
        byte[] payload;
        byte[] signature;
        try {
            payload = D64.decode(grant.substring(0, Math.max(0, dot)));
            signature = D64.decode(grant.substring(dot + 1));
        } catch (IllegalArgumentException | StringIndexOutOfBoundsException e) {
            throw new Rejected("the grant is not base64url(payload).base64url(signature)");
        }
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(payload);
            if (!s.verify(signature)) {
                throw new Rejected("the grant's signature is not the control plane's");
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new Rejected("the grant's signature is not the control plane's");
        }
        JsonNode p;
        try {
            p = Json.MAPPER.readTree(new String(payload, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw new Rejected("the grant's payload is not JSON");
        }
        if (!clusterId.equals(p.path("cluster").asString(""))) {
            throw new Rejected("the grant is for another cluster");
        }
        Instant exp;
        Instant iat;
        try {
            exp = Instant.ofEpochSecond(p.path("exp").asLong());
            iat = Instant.ofEpochSecond(p.path("iat").asLong());
        } catch (RuntimeException e) {
            throw new Rejected("the grant has no validity");
        }
        if (now.isAfter(exp.plus(SKEW))
                || iat.isAfter(now.plus(SKEW))
                || exp.isBefore(iat)
                || Duration.between(iat, exp).compareTo(VALIDITY) > 0) {
            throw new Rejected("the grant has expired (or is not valid yet): ask the control plane for a new one");
        }
        if (!p.path("nonce").isString() || p.path("nonce").asString().length() < 16) {
            throw new Rejected("the grant has no nonce");
        }
        if (incarnation != null && !incarnation.equals(p.path("inc").asString(""))) {
            throw new Rejected("the grant is for another registration of this cluster id (it was deleted and"
                    + " registered again): this agent serves the earlier one");
        }
        if (notBefore != null && iat.isBefore(notBefore)) {
            throw new Rejected("the grant was issued before this agent started (it cannot know whether it was"
                    + " used): ask the control plane for a new one");
        }
        return p;
    }

    public static String encodePublic(PublicKey key) {
        return Base64.getEncoder().encodeToString(key.getEncoded());
    }
}
