package network.aios.tls;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import network.aios.api.Names;
import network.aios.api.Pem;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The network's agent CA: a P-256 key and a self-signed certificate, created once per network (the
 * control plane keeps the private half sealed), that signs one serving certificate per member
 * cluster registration. A certificate names one thing: the registration's identity
 * ({@link #identity(String, String)}, a URI SAN) — no host names, which owners choose and which
 * nobody verifies — so a client checks that it speaks to <em>that</em> cluster's agents, not to
 * another cluster's or to an earlier registration under the same id. The CA is name-constrained to
 * those identities (no DNS name, no IP address): even added to a trust store by mistake it vouches
 * for no web host.
 *
 * <p>The member cluster's admin can read its certificate's key (it is mounted in the agents' pods):
 * with it they can only pose as their own cluster's agents, which they run anyway.
 */
public final class AgentCa {
    /** A cluster's certificate lasts a year; it is reissued on apply once fewer than 60 days remain. */
    public static final Duration LEAF_VALIDITY = Duration.ofDays(365);

    public static final Duration RENEW_BEFORE = Duration.ofDays(60);
    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static final Duration BACKDATE = Duration.ofMinutes(5); // clocks on member nodes drift
    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate certificate;
    private final PrivateKey key;

    private AgentCa(X509Certificate certificate, PrivateKey key) {
        this.certificate = certificate;
        this.key = key;
    }

    private static final String TRUST_DOMAIN = "aios.network";

    /** A new CA, valid ten years from {@code now}; {@code networkName} tells networks' CAs apart. */
    public static AgentCa create(String networkName, Instant now) {
        KeyPair pair = p256();
        X500Name name = new X500Name("O=AIOS agent CA,CN=" + printable(networkName));
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                    name,
                    serial(),
                    Date.from(now.minus(BACKDATE)),
                    Date.from(now.plus(CA_VALIDITY)),
                    name,
                    pair.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            // identities in the trust domain only; every DNS name outside ".invalid" and every IP address refused
            b.addExtension(
                    Extension.nameConstraints,
                    true,
                    new NameConstraints(
                            new GeneralSubtree[] {
                                new GeneralSubtree(
                                        new GeneralName(GeneralName.uniformResourceIdentifier, TRUST_DOMAIN)),
                                new GeneralSubtree(new GeneralName(GeneralName.dNSName, "invalid"))
                            },
                            new GeneralSubtree[] {
                                new GeneralSubtree(
                                        new GeneralName(GeneralName.iPAddress, new DEROctetString(new byte[8]))),
                                new GeneralSubtree(
                                        new GeneralName(GeneralName.iPAddress, new DEROctetString(new byte[32])))
                            }));
            return new AgentCa(sign(b, pair.getPrivate()), pair.getPrivate());
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot create the agent CA", e);
        }
    }

    /** The stored CA: its certificate (DER) and its PKCS#8 private key. */
    public static AgentCa load(byte[] certificateDer, byte[] pkcs8Key) {
        String pem = Pem.encode("CERTIFICATE", certificateDer);
        return new AgentCa(Pem.certificates(pem).get(0), Pem.privateKey(Pem.encode("PRIVATE KEY", pkcs8Key)));
    }

    public byte[] certificateDer() {
        try {
            return certificate.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    public byte[] privateKeyPkcs8() {
        return key.getEncoded();
    }

    /** The CA certificate, PEM: what clients of the agents trust. Public. */
    public String certificatePem() {
        return Pem.encode("CERTIFICATE", certificateDer());
    }

    /**
     * The identity a cluster registration's agents prove, a URI SAN in their certificate:
     * {@code spiffe://aios.network/cluster/<id>/<incarnation>}. The incarnation tells registrations of
     * the same id apart, so a former owner's certificate does not pass for the next registration's.
     */
    public static String identity(String clusterId, String incarnation) {
        if (!Names.isDns1123Label(clusterId) || !incarnation.matches("[a-z0-9]{1,32}")) {
            throw new IllegalArgumentException("not a cluster id and incarnation: " + clusterId + ", " + incarnation);
        }
        return "spiffe://" + TRUST_DOMAIN + "/cluster/" + clusterId + "/" + incarnation;
    }

    /** The identity of the registration of {@code clusterId} made at {@code registeredAt} (microseconds, base 36). */
    public static String identity(String clusterId, Instant registeredAt) {
        return identity(clusterId, network.aios.api.Incarnation.of(registeredAt));
    }

    /** A serving certificate and its key for one cluster's agents, PEM. */
    public record Issued(String certificatePem, String keyPem, Instant notAfter, String identity) {
        @Override
        public String toString() {
            return "Issued[identity=" + identity + ", notAfter=" + notAfter + "]";
        }
    }

    /**
     * Issues the certificate for a registration's agents ({@code identity} from {@link #identity}),
     * valid for {@link #LEAF_VALIDITY} but never beyond the CA itself.
     */
    public Issued issue(String identity, Instant now) {
        if (!identity.startsWith("spiffe://" + TRUST_DOMAIN + "/cluster/")) {
            throw new IllegalArgumentException("not an agent identity: " + identity);
        }
        KeyPair pair = p256();
        Instant notAfter = now.plus(LEAF_VALIDITY);
        if (notAfter.isAfter(certificate.getNotAfter().toInstant())) {
            notAfter = certificate.getNotAfter().toInstant();
        }
        GeneralName[] san = {new GeneralName(GeneralName.uniformResourceIdentifier, identity)};
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                    certificate,
                    serial(),
                    Date.from(now.minus(BACKDATE)),
                    Date.from(notAfter),
                    new X500Name("O=AIOS agents"),
                    pair.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            // the subject says nothing (no CN a legacy client could take for a host): the SAN is the identity
            b.addExtension(Extension.subjectAlternativeName, true, new GeneralNames(san));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            X509Certificate leaf = sign(b, key);
            return new Issued(
                    Pem.encode("CERTIFICATE", leaf.getEncoded()),
                    Pem.encode("PRIVATE KEY", pair.getPrivate().getEncoded()),
                    notAfter,
                    identity);
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot issue the certificate for " + identity, e);
        }
    }

    /**
     * Whether a stored certificate still serves: issued by this CA for this identity, and more than
     * {@link #RENEW_BEFORE} from expiry.
     */
    public boolean stillServes(Issued issued, String identity, Instant now) {
        if (issued == null || issued.notAfter() == null || issued.notAfter().isBefore(now.plus(RENEW_BEFORE))) {
            return false;
        }
        try {
            X509Certificate leaf = Pem.certificates(issued.certificatePem()).get(0);
            leaf.verify(certificate.getPublicKey());
            return uris(leaf).equals(List.of(identity));
        } catch (GeneralSecurityException | RuntimeException e) {
            return false; // another CA's, or unreadable: issue a new one
        }
    }

    /**
     * The incarnation a serving certificate's identity names ({@code spiffe://aios.network/cluster/<id>/<inc>}),
     * or null when it names none: what an agent knows of which registration it serves.
     */
    public static String incarnationOf(String certificatePem) {
        try {
            for (String uri : uris(Pem.certificates(certificatePem).get(0))) {
                String prefix = "spiffe://" + TRUST_DOMAIN + "/cluster/";
                if (uri.startsWith(prefix)) {
                    String[] parts = uri.substring(prefix.length()).split("/");
                    return parts.length == 2 ? parts[1] : null;
                }
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            return null;
        }
        return null;
    }

    /** The URI SANs of a certificate. */
    static List<String> uris(X509Certificate cert) throws CertificateParsingException {
        List<String> out = new ArrayList<>();
        if (cert.getSubjectAlternativeNames() != null) {
            for (List<?> entry : cert.getSubjectAlternativeNames()) {
                if (Integer.valueOf(GeneralName.uniformResourceIdentifier).equals(entry.get(0))) {
                    out.add((String) entry.get(1));
                }
            }
        }
        return out;
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static KeyPair p256() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("P-256 is part of every Java 17 runtime", e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    /** Only letters, digits, '-', '.' and spaces in a distinguished name (no RDN syntax from anyone). */
    private static String printable(String s) {
        return s.replaceAll("[^A-Za-z0-9 .-]", "-");
    }
}
