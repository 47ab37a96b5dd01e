package network.aios.server;

import java.nio.file.Path;

/**
 * How the control plane runs. {@code jdbcUrl} null means the embedded PostgreSQL, with its data under
 * {@code dataDir/postgres}; the admin token file also lives in {@code dataDir}.
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
        java.time.Duration addonProbeInterval) {

    public static final int DEFAULT_PORT = 8080;
    public static final long DEFAULT_MAX_BODY = 1024 * 1024;
    public static final String DEFAULT_AGENT_IMAGE = "aios/agent:0.1.0";
    public static final java.time.Duration DEFAULT_PROBE_INTERVAL = java.time.Duration.ofSeconds(30);

    /** Where agents on member clusters reach this control plane. */
    public String controlPlaneUrl(int boundPort) {
        return publicUrl != null ? publicUrl : "http://" + host + ":" + boundPort;
    }

    /** Defaults for embedding (tests, benchmarks): add-on probing off unless asked for. */
    public static ServerConfig defaults(Path dataDir) {
        return new ServerConfig("127.0.0.1", DEFAULT_PORT, dataDir, null, null, null, null, DEFAULT_MAX_BODY, 16, null,
                DEFAULT_AGENT_IMAGE, java.time.Duration.ZERO);
    }

    public ServerConfig withPort(int p) {
        return new ServerConfig(host, p, dataDir, jdbcUrl, dbUser, dbPassword, policyFile, maxBodyBytes, dbPoolSize,
                publicUrl, agentImage, addonProbeInterval);
    }

    public ServerConfig withDatabase(String url, String user, String password) {
        return new ServerConfig(host, port, dataDir, url, user, password, policyFile, maxBodyBytes, dbPoolSize,
                publicUrl, agentImage, addonProbeInterval);
    }

    public ServerConfig withAddonProbeInterval(java.time.Duration d) {
        return new ServerConfig(host, port, dataDir, jdbcUrl, dbUser, dbPassword, policyFile, maxBodyBytes, dbPoolSize,
                publicUrl, agentImage, d);
    }

    public ServerConfig withPolicyFile(Path file) {
        return new ServerConfig(host, port, dataDir, jdbcUrl, dbUser, dbPassword, file, maxBodyBytes, dbPoolSize,
                publicUrl, agentImage, addonProbeInterval);
    }
}
