package network.aios.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import network.aios.api.Pem;

/**
 * How a client of a cluster's agents (the CLI, the control plane's tests) knows it speaks to that
 * cluster's agents: the chain must lead to the network's agent CA, and the certificate must carry
 * the cluster's identity. The host name in the URL is not what is checked — agents are reached at
 * node addresses, NATs and gateways the certificate cannot foresee — the identity is.
 */
public final class AgentTrust {
    private AgentTrust() {}

    /**
     * A TLS context for talking to the agents proving {@code identity} (what the control plane says a
     * registration's agents are: {@link AgentCa#identity}), trusting only the network's agent CA.
     */
    public static SSLContext forIdentity(String agentCaPem, String identity) {
        try {
            List<X509Certificate> cas = Pem.certificates(agentCaPem);
            if (cas.isEmpty()) {
                throw new IllegalArgumentException("the agent CA holds no certificate");
            }
            // (Java's PKIX ignores the anchor's name constraints; the exact identity check below is stricter)
            java.util.Set<TrustAnchor> anchors = new java.util.HashSet<>();
            for (X509Certificate ca : cas) {
                anchors.add(new TrustAnchor(ca, null));
            }
            PKIXBuilderParameters params = new PKIXBuilderParameters(anchors, new X509CertSelector());
            params.setRevocationEnabled(false); // no CRLs: certificates are short enough and replaced on apply
            TrustManagerFactory f = TrustManagerFactory.getInstance("PKIX");
            f.init(new CertPathTrustManagerParameters(params));
            X509TrustManager pkix = (X509TrustManager) f.getTrustManagers()[0];
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new ClusterIdentity(pkix, identity)}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up trust in the agent CA", e);
        }
    }

    /** Path validation against the agent CA, then the identity; no host name check (see the class). */
    private static final class ClusterIdentity extends X509ExtendedTrustManager {
        private final X509TrustManager pkix;
        private final String identity;

        ClusterIdentity(X509TrustManager pkix, String identity) {
            this.pkix = pkix;
            this.identity = identity;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            pkix.checkServerTrusted(chain, authType);
            List<String> uris = AgentCa.uris(chain[0]);
            if (!uris.equals(List.of(identity))) {
                throw new CertificateException("the agent's certificate is for "
                        + (uris.isEmpty() ? "no cluster" : String.join(", ", uris)) + ", not " + identity);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a client of agents authenticates no one");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return pkix.getAcceptedIssuers();
        }
    }
}
