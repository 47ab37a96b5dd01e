package network.aios.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.Base64;
import network.aios.api.Pem;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The control plane's API over TLS: a Jetty listener with the operator's PEM certificate chain and
 * PKCS#8 key (what cert-manager or openssl produce), checked to belong together at start. Kubeconfigs
 * and tokens then never cross the network in the clear.
 */
public final class TlsListener {
    private final KeyStore keyStore;
    private final String password;
    private final String certificatePem;

    private TlsListener(KeyStore keyStore, String password, String certificatePem) {
        this.keyStore = keyStore;
        this.password = password;
        this.certificatePem = certificatePem;
    }

    /** Reads and checks the files; a clear exception (naming the file) if they cannot serve. */
    public static TlsListener load(Path cert, Path key) {
        String certPem = read(cert);
        String keyPem = read(key);
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        String password = Base64.getEncoder().encodeToString(secret); // protects the in-memory store only
        try {
            return new TlsListener(Pem.keyStore(certPem, keyPem, password.toCharArray()), password, certPem);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("TLS: " + cert + " / " + key + ": " + e.getMessage(), e);
        }
    }

    /** The certificate chain served (public), for clients to trust when it is self-signed or from a private CA. */
    public String certificatePem() {
        return certificatePem;
    }

    public Connector connector(Server server, HttpConfiguration base, String host, int port) {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStore(keyStore);
        ssl.setKeyStorePassword(password);
        ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        HttpConfiguration https = new HttpConfiguration(base);
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        secure.setSniHostCheck(false); // reached by IP address as often as by name
        https.addCustomizer(secure);
        ServerConnector connector = new ServerConnector(
                server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(https));
        connector.setHost(host);
        connector.setPort(port);
        return connector;
    }

    /** The port a started server listens on: its first bound connector's (Javalin reports only its own). */
    public static int boundPort(Server server, int fallback) {
        for (Connector c : server.getConnectors()) {
            if (c instanceof ServerConnector sc && sc.getLocalPort() > 0) {
                return sc.getLocalPort();
            }
        }
        return fallback;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException("TLS: cannot read " + p, e);
        }
    }
}
