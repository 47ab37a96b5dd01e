package network.aios.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How the control plane runs. {@code jdbcUrl} null means the embedded PostgreSQL, with its data under
 * {@code dataDir/postgres}; the admin token file also lives in {@code dataDir}. Built from
 * {@link #defaults} with the {@code with...} methods.
 */
public record ServerConfig(
        String host,
        int port,
        Path dataDir,
        String jdbcUrl,
        String dbUser,
        String dbPassword,
        Path policyFile,
        long maxBodyBytes,
        int dbPoolSize,
        String publicUrl,
        String agentImage,
        Duration addonProbeInterval,
        Duration heartbeatGrace,
        Path tlsCert,
        Path tlsKey,
        List<String> egressAllow,
        boolean allowInsecureKubeconfig,
        boolean insecureHttp,
        Duration attestEvery,
        List<String> egressDeny) {

    public static final int DEFAULT_PORT = 8080;
    public static final long DEFAULT_MAX_BODY = 1024 * 1024;
    public static final String DEFAULT_AGENT_IMAGE = "aios/agent:0.1.0";
    public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(30);
    /** A cluster silent this long is Ready=Unknown (the issue asks for at most 40 s; agents beat every 5 s). */
    public static final Duration DEFAULT_HEARTBEAT_GRACE = Duration.ofSeconds(30);
    /** Mean interval at which the control plane reads a cluster's nodes itself to check its agents' report. */
    public static final Duration DEFAULT_ATTEST_EVERY = Duration.ofSeconds(120);

    /** Where agents on member clusters reach this control plane. */
    public String controlPlaneUrl(int boundPort) {
        return publicUrl != null ? publicUrl : (tls() ? "https://" : "http://") + host + ":" + boundPort;
    }

    /** Whether the API is served over TLS (both a certificate and its key given). */
    public boolean tls() {
        return tlsCert != null && tlsKey != null;
    }

    /** Serve over TLS with this PEM certificate chain and PKCS#8 key. */
    public ServerConfig withTls(Path cert, Path key) {
        return new ServerConfig(host, port, dataDir, jdbcUrl, dbUser, dbPassword, policyFile, maxBodyBytes, dbPoolSize,
                publicUrl, agentImage, addonProbeInterval, heartbeatGrace, cert, key, egressAllow, allowInsecureKubeconfig, insecureHttp, attestEvery, egressDeny);
    }

    /** Defaults for embedding (tests, benchmarks): add-on probing off unless asked for. */
    public static ServerConfig defaults(Path dataDir) {
        return new ServerConfig("127.0.0.1", DEFAULT_PORT, dataDir, null, null, null, null, DEFAULT_MAX_BODY, 16, null,
                DEFAULT_AGENT_IMAGE, Duration.ZERO, DEFAULT_HEARTBEAT_GRACE, null, null, List.of(), false, false, DEFAULT_ATTEST_EVERY, List.of());
    }

    public ServerConfig withHost(String h) {
        return new ServerConfig(h, port, dataDir, jdbcUrl, dbUser, dbPassword, policyFile, maxBodyBytes, dbPoolSize,
                publicUrl, agentImage, addonProbeInterval, heartbeatGrace, tlsCert, tlsKey, egressAllow, allowInsecureKubeconfig, insecureHttp, attestEvery, egressDeny);
    }

    public ServerConfig withPort(int p) {
        return new ServerConfig(host, p, dataDir, jdbcUrl, dbUser, dbPassword, policyFile, maxBodyBytes, dbPoolSize,
                publicUrl, agentImage, addonProbeInterval, heartbeatGrace, tlsCert, tlsKey, egressAllow, allowInsecureKubeconfig, insecureHttp, attestEvery, egressDeny);
    }

    public ServerConfig withDatabase(String url, String user, String password) {
        return new ServerConfig(host, port, dataDir, url, user, password, policyFile, maxBodyBytes, dbPoolSize,
                publicUrl, agentImage, addonProbeInterval, heartbeatGrace, tlsCert, tlsKey, egressAllow, allowInsecureKubeconfig, insecureHttp, attestEvery, egressDeny);
    }

    public ServerConfig withAddonProbeInterval(Duration d) {
        return new ServerConfig(host, port, dataDir, jdbcUrl, dbUser, dbPassword, policyFile, maxBodyBytes, dbPoolSize,
                publicUrl, agentImage, d, heartbeatGrace, tlsCert, tlsKey, egressAllow, allowInsecureKubeconfig, insecureHttp, attestEvery, egressDeny);
    }

    public ServerConfig withPolicyFile(Path file) {
        return new ServerConfig(host, port, dataDir, jdbcUrl, dbUser, dbPassword, file, maxBodyBytes, dbPoolSize,
                publicUrl, agentImage, addonProbeInterval, heartbeatGrace, tlsCert, tlsKey, egressAllow, allowInsecureKubeconfig, insecureHttp, attestEvery, egressDeny);
    }

    public ServerConfig withMaxBodyBytes(long max) {
        return new ServerConfig(host, port, dataDir, jdbcUrl, dbUser, dbPassword, policyFile, max, dbPoolSize,
                publicUrl, agentImage, addonProbeInterval, heartbeatGrace, tlsCert, tlsKey, egressAllow, allowInsecureKubeconfig, insecureHttp, attestEvery, egressDeny);
    }

    public ServerConfig withAgents(String url, String image) {
        return new ServerConfig(host, port, dataDir, jdbcUrl, dbUser, dbPassword, policyFile, maxBodyBytes, dbPoolSize,
                url, image, addonProbeInterval, heartbeatGrace, tlsCert, tlsKey, egressAllow, allowInsecureKubeconfig, insecureHttp, attestEvery, egressDeny);
    }

    public ServerConfig withHeartbeatGrace(Duration grace) {
        return new ServerConfig(host, port, dataDir, jdbcUrl, dbUser, dbPassword, policyFile, maxBodyBytes, dbPoolSize,
                publicUrl, agentImage, addonProbeInterval, grace, tlsCert, tlsKey, egressAllow, allowInsecureKubeconfig, insecureHttp, attestEvery, egressDeny);
    }

    /**
     * Address ranges the egress guard lets through although it refuses them by default (loopback,
     * link-local, ...), and whether kubeconfigs may skip TLS verification.
     */
    public ServerConfig withEgress(List<String> allow, boolean insecureKubeconfig) {
        return new ServerConfig(host, port, dataDir, jdbcUrl, dbUser, dbPassword, policyFile, maxBodyBytes, dbPoolSize,
                publicUrl, agentImage, addonProbeInterval, heartbeatGrace, tlsCert, tlsKey, List.copyOf(allow),
                insecureKubeconfig, insecureHttp, attestEvery, egressDeny);
    }

    /** Accept serving plain HTTP on a non-loopback address (refused otherwise: tokens and kubeconfigs travel here). */
    public ServerConfig withInsecureHttp(boolean insecure) {
        return new ServerConfig(host, port, dataDir, jdbcUrl, dbUser, dbPassword, policyFile, maxBodyBytes, dbPoolSize,
                publicUrl, agentImage, addonProbeInterval, heartbeatGrace, tlsCert, tlsKey, egressAllow,
                allowInsecureKubeconfig, insecure, attestEvery, egressDeny);
    }

    /** Whether the listener is reachable only from this machine. */
    public boolean loopbackOnly() {
        try {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /** Why this configuration must not start, or null. */
    public String refusal() {
        if (!tls() && !loopbackOnly() && !insecureHttp) {
            return "--host " + host + " serves other machines, and without TLS tokens and kubeconfigs would travel "
                    + "in clear text: give --tls-cert and --tls-key, or --insecure-http to accept that";
        }
        return null;
    }

    /** What /healthz and the log warn about while this configuration runs. */
    public List<String> warnings() {
        return !tls() && !loopbackOnly() ? List.of("plain HTTP on " + host + " (--insecure-http): API tokens and "
                + "kubeconfigs sent here travel unencrypted") : List.of();
    }

    /** How often, on average, each cluster's reported nodes are checked against its API (zero: never). */
    public ServerConfig withAttestEvery(Duration every) {
        return new ServerConfig(host, port, dataDir, jdbcUrl, dbUser, dbPassword, policyFile, maxBodyBytes, dbPoolSize,
                publicUrl, agentImage, addonProbeInterval, heartbeatGrace, tlsCert, tlsKey, egressAllow,
                allowInsecureKubeconfig, insecureHttp, every, egressDeny);
    }

    /** Address ranges refused as destinations although the defaults allow them (an allowed range inside wins). */
    public ServerConfig withEgressDeny(List<String> deny) {
        return new ServerConfig(host, port, dataDir, jdbcUrl, dbUser, dbPassword, policyFile, maxBodyBytes, dbPoolSize,
                publicUrl, agentImage, addonProbeInterval, heartbeatGrace, tlsCert, tlsKey, egressAllow,
                allowInsecureKubeconfig, insecureHttp, attestEvery, List.copyOf(deny));
    }
}
