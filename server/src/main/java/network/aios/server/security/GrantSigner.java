package network.aios.server.security;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import network.aios.api.Grant;
import network.aios.store.SigningKeyStore;
import tools.jackson.databind.node.ObjectNode;

/**
 * The control plane's grant key: Ed25519, created once per network and kept in the database with its
 * private half sealed (so every replica signs with the same key). Only the public half leaves the
 * control plane, in each member cluster's ConfigMap.
 */
public final class GrantSigner {
    static final String PURPOSE = "mgmt-grants";
    private final PrivateKey privateKey;
    private final PublicKey publicKey;

    private GrantSigner(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    public static GrantSigner load(SigningKeyStore store, SecretBox box, Clock clock) {
        NetworkKeys.Pair keys = NetworkKeys.loadOrCreate(store, box, PURPOSE, clock, () -> {
            try {
                KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
                return new NetworkKeys.Pair(
                        pair.getPublic().getEncoded(), pair.getPrivate().getEncoded());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("Ed25519 is part of every Java 17 runtime", e);
            }
        });
        try {
            KeyFactory f = KeyFactory.getInstance("Ed25519");
            return new GrantSigner(
                    f.generatePrivate(new PKCS8EncodedKeySpec(keys.privatePart())),
                    f.generatePublic(new X509EncodedKeySpec(keys.publicPart())));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the stored grant key cannot be read", e);
        }
    }

    public String sign(ObjectNode payload) {
        return Grant.sign(payload, privateKey);
    }

    /** Base64 X.509 of the public key: what agents verify grants with. */
    public String publicKeyBase64() {
        return Grant.encodePublic(publicKey);
    }
}
