package network.aios.api;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * PEM certificates and keys, as cert-manager and openssl write them, turned into what Java's TLS
 * needs: the control plane's key store (its certificate chain and PKCS#8 private key) and a client's
 * trust (only the given certificates). JDK only.
 */
public final class Pem {
    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----");

    private Pem() {}

    private record Block(String type, byte[] der) {}

    private static List<Block> blocks(String pem) {
        List<Block> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
        }
        return out;
    }

    /** DER bytes as a PEM block of the given type ({@code CERTIFICATE}, {@code PRIVATE KEY}), lines of 64. */
    public static String encode(String type, byte[] der) {
        String body = java.util.Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    /** Every certificate in the text, in order (a chain: the leaf first). */
    public static List<X509Certificate> certificates(String pem) {
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory f = CertificateFactory.getInstance("X.509");
            for (Block b : blocks(pem)) {
                if (b.type().equals("CERTIFICATE")) {
                    out.add((X509Certificate) f.generateCertificate(new ByteArrayInputStream(b.der())));
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a valid PEM certificate: " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no '-----BEGIN CERTIFICATE-----' block found");
        }
        return out;
    }

    /** A PKCS#8 private key (RSA or EC), as {@code openssl genpkey} writes it. */
    public static PrivateKey privateKey(String pem) {
        for (Block b : blocks(pem)) {
            if (b.type().equals("PRIVATE KEY")) {
                for (String algorithm : List.of("RSA", "EC")) {
                    try {
                        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(b.der()));
                    } catch (GeneralSecurityException tryTheNext) {
                        // not this algorithm
                    }
                }
                throw new IllegalArgumentException("the PKCS#8 key is neither RSA nor EC");
            }
            if (b.type().endsWith("PRIVATE KEY")) {
                throw new IllegalArgumentException("the key is '" + b.type() + "' (PKCS#1/SEC1); convert it to PKCS#8: "
                        + "openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pkcs8");
            }
        }
        throw new IllegalArgumentException("no '-----BEGIN PRIVATE KEY-----' block found");
    }

    /** A key store holding the chain and its key, after checking that the key belongs to the leaf. */
    public static KeyStore keyStore(String certPem, String keyPem, char[] password) {
        List<X509Certificate> chain = certificates(certPem);
        PrivateKey key = privateKey(keyPem);
        try {
            String alg = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature sign = Signature.getInstance(alg);
            sign.initSign(key);
            sign.update(probe);
            byte[] sig = sign.sign();
            Signature verify = Signature.getInstance(alg);
            verify.initVerify(chain.get(0).getPublicKey());
            verify.update(probe);
            if (!verify.verify(sig)) {
                throw new IllegalArgumentException("the private key does not belong to the first certificate");
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("aios", key, password, chain.toArray(new Certificate[0]));
            return ks;
        } catch (java.security.InvalidKeyException e) {
            throw new IllegalArgumentException("the private key does not belong to the first certificate", e);
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot build the key store: " + e.getMessage(), e);
        }
    }

    /** A TLS context that trusts exactly these certificates (a private CA, or a self-signed server). */
    public static SSLContext trusting(String caPem) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            int i = 0;
            for (X509Certificate c : certificates(caPem)) {
                trust.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot build a TLS context: " + e.getMessage(), e);
        }
    }
}
