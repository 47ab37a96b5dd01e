package network.aios.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How the control plane runs. {@code jdbcUrl} null means the embedded PostgreSQL, with its data under
 * {@code dataDir/postgres}; the admin token file also lives in {@code dataDir}. Built from
 * {@link #defaults} with the {@code with...} methods, or {@link #toBuilder()} for several at once.
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
        List<String> egressDeny,
        Duration resyncEvery,
        network.aios.server.auth.WriteLimits.Rate ownerWrites,
        network.aios.server.auth.WriteLimits.Rate agentWrites,
        int requestsInFlight) {

    public static final int DEFAULT_PORT = 8080;
    /** Requests one owner (or one cluster's agents) may have under way at once. */
    public static final int DEFAULT_REQUESTS_IN_FLIGHT = 32;
    /** Writes per owner: a person or a script onboarding clusters never meets it; a flood does at once. */
    public static final network.aios.server.auth.WriteLimits.Rate DEFAULT_OWNER_WRITES =
            network.aios.server.auth.WriteLimits.Rate.parse("20/s,burst=100");
    /** Writes per agent (its cluster): heartbeats every 5 s, metrics, command receipts. */
    public static final network.aios.server.auth.WriteLimits.Rate DEFAULT_AGENT_WRITES =
            network.aios.server.auth.WriteLimits.Rate.parse("5/s,burst=50");

    public static final long DEFAULT_MAX_BODY = 1024 * 1024;
    public static final String DEFAULT_AGENT_IMAGE = "aios/agent:0.1.0";
    public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(30);
    /** A cluster silent this long is Ready=Unknown (the issue asks for at most 40 s; agents beat every 5 s). */
    public static final Duration DEFAULT_HEARTBEAT_GRACE = Duration.ofSeconds(30);
    /** Mean interval at which the control plane reads a cluster's nodes itself to check its agents' report. */
    public static final Duration DEFAULT_ATTEST_EVERY = Duration.ofSeconds(120);
    /** How often each ready cluster's infrastructure is re-applied, repairing what was changed on the cluster. */
    public static final Duration DEFAULT_RESYNC_EVERY = Duration.ofMinutes(5);

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
        return toBuilder().tlsCert(cert).tlsKey(key).build();
    }

    /** Defaults for embedding (tests, benchmarks): add-on probing off unless asked for. */
    public static ServerConfig defaults(Path dataDir) {
        return new Builder()
                .host("127.0.0.1")
                .port(DEFAULT_PORT)
                .dataDir(dataDir)
                .maxBodyBytes(DEFAULT_MAX_BODY)
                .dbPoolSize(16)
                .agentImage(DEFAULT_AGENT_IMAGE)
                .addonProbeInterval(Duration.ZERO)
                .heartbeatGrace(DEFAULT_HEARTBEAT_GRACE)
                .attestEvery(DEFAULT_ATTEST_EVERY)
                .resyncEvery(DEFAULT_RESYNC_EVERY)
                .ownerWrites(DEFAULT_OWNER_WRITES)
                .agentWrites(DEFAULT_AGENT_WRITES)
                .requestsInFlight(DEFAULT_REQUESTS_IN_FLIGHT)
                .build();
    }

    public ServerConfig withHost(String h) {
        return toBuilder().host(h).build();
    }

    public ServerConfig withPort(int p) {
        return toBuilder().port(p).build();
    }

    public ServerConfig withDatabase(String url, String user, String password) {
        return toBuilder().jdbcUrl(url).dbUser(user).dbPassword(password).build();
    }

    public ServerConfig withAddonProbeInterval(Duration d) {
        return toBuilder().addonProbeInterval(d).build();
    }

    public ServerConfig withPolicyFile(Path file) {
        return toBuilder().policyFile(file).build();
    }

    public ServerConfig withMaxBodyBytes(long max) {
        return toBuilder().maxBodyBytes(max).build();
    }

    public ServerConfig withAgents(String url, String image) {
        return toBuilder().publicUrl(url).agentImage(image).build();
    }

    public ServerConfig withHeartbeatGrace(Duration grace) {
        return toBuilder().heartbeatGrace(grace).build();
    }

    /**
     * Address ranges the egress guard lets through although it refuses them by default (loopback,
     * link-local, ...), and whether kubeconfigs may skip TLS verification.
     */
    public ServerConfig withEgress(List<String> allow, boolean insecureKubeconfig) {
        return toBuilder()
                .egressAllow(List.copyOf(allow))
                .allowInsecureKubeconfig(insecureKubeconfig)
                .build();
    }

    /** Accept serving plain HTTP on a non-loopback address (refused otherwise: tokens and kubeconfigs travel here). */
    public ServerConfig withInsecureHttp(boolean insecure) {
        return toBuilder().insecureHttp(insecure).build();
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
        return !tls() && !loopbackOnly()
                ? List.of("plain HTTP on " + host + " (--insecure-http): API tokens and "
                        + "kubeconfigs sent here travel unencrypted")
                : List.of();
    }

    /** How often, on average, each cluster's reported nodes are checked against its API (zero: never). */
    public ServerConfig withAttestEvery(Duration every) {
        return toBuilder().attestEvery(every).build();
    }

    /** Address ranges refused as destinations although the defaults allow them (an allowed range inside wins). */
    public ServerConfig withEgressDeny(List<String> deny) {
        return toBuilder().egressDeny(List.copyOf(deny)).build();
    }

    /** How often each ready cluster's infrastructure is re-applied to repair drift (zero: never). */
    public ServerConfig withResyncEvery(Duration every) {
        return toBuilder().resyncEvery(every).build();
    }

    /** How fast owners and agents may write (each its own bucket); the admin is not limited. */
    public ServerConfig withWriteLimits(
            network.aios.server.auth.WriteLimits.Rate owners, network.aios.server.auth.WriteLimits.Rate agents) {
        return toBuilder().ownerWrites(owners).agentWrites(agents).build();
    }

    /** How many requests one owner (one cluster's agents) may have under way at once. */
    public ServerConfig withRequestsInFlight(int n) {
        return toBuilder().requestsInFlight(n).build();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.host = host;
        b.port = port;
        b.dataDir = dataDir;
        b.jdbcUrl = jdbcUrl;
        b.dbUser = dbUser;
        b.dbPassword = dbPassword;
        b.policyFile = policyFile;
        b.maxBodyBytes = maxBodyBytes;
        b.dbPoolSize = dbPoolSize;
        b.publicUrl = publicUrl;
        b.agentImage = agentImage;
        b.addonProbeInterval = addonProbeInterval;
        b.heartbeatGrace = heartbeatGrace;
        b.tlsCert = tlsCert;
        b.tlsKey = tlsKey;
        b.egressAllow = egressAllow;
        b.allowInsecureKubeconfig = allowInsecureKubeconfig;
        b.insecureHttp = insecureHttp;
        b.attestEvery = attestEvery;
        b.egressDeny = egressDeny;
        b.resyncEvery = resyncEvery;
        b.ownerWrites = ownerWrites;
        b.agentWrites = agentWrites;
        b.requestsInFlight = requestsInFlight;
        return b;
    }

    /** Every setting by name; unset lists are empty. */
    public static final class Builder {
        private String host;
        private int port;
        private Path dataDir;
        private String jdbcUrl;
        private String dbUser;
        private String dbPassword;
        private Path policyFile;
        private long maxBodyBytes;
        private int dbPoolSize;
        private String publicUrl;
        private String agentImage;
        private Duration addonProbeInterval;
        private Duration heartbeatGrace;
        private Path tlsCert;
        private Path tlsKey;
        private List<String> egressAllow = List.of();
        private boolean allowInsecureKubeconfig;
        private boolean insecureHttp;
        private Duration attestEvery;
        private List<String> egressDeny = List.of();
        private Duration resyncEvery;
        private network.aios.server.auth.WriteLimits.Rate ownerWrites;
        private network.aios.server.auth.WriteLimits.Rate agentWrites;
        private int requestsInFlight;

        public Builder requestsInFlight(int v) {
            this.requestsInFlight = v;
            return this;
        }

        public Builder ownerWrites(network.aios.server.auth.WriteLimits.Rate v) {
            this.ownerWrites = v;
            return this;
        }

        public Builder agentWrites(network.aios.server.auth.WriteLimits.Rate v) {
            this.agentWrites = v;
            return this;
        }

        public Builder host(String v) {
            this.host = v;
            return this;
        }

        public Builder port(int v) {
            this.port = v;
            return this;
        }

        public Builder dataDir(Path v) {
            this.dataDir = v;
            return this;
        }

        public Builder jdbcUrl(String v) {
            this.jdbcUrl = v;
            return this;
        }

        public Builder dbUser(String v) {
            this.dbUser = v;
            return this;
        }

        public Builder dbPassword(String v) {
            this.dbPassword = v;
            return this;
        }

        public Builder policyFile(Path v) {
            this.policyFile = v;
            return this;
        }

        public Builder maxBodyBytes(long v) {
            this.maxBodyBytes = v;
            return this;
        }

        public Builder dbPoolSize(int v) {
            this.dbPoolSize = v;
            return this;
        }

        public Builder publicUrl(String v) {
            this.publicUrl = v;
            return this;
        }

        public Builder agentImage(String v) {
            this.agentImage = v;
            return this;
        }

        public Builder addonProbeInterval(Duration v) {
            this.addonProbeInterval = v;
            return this;
        }

        public Builder heartbeatGrace(Duration v) {
            this.heartbeatGrace = v;
            return this;
        }

        public Builder tlsCert(Path v) {
            this.tlsCert = v;
            return this;
        }

        public Builder tlsKey(Path v) {
            this.tlsKey = v;
            return this;
        }

        public Builder egressAllow(List<String> v) {
            this.egressAllow = v;
            return this;
        }

        public Builder allowInsecureKubeconfig(boolean v) {
            this.allowInsecureKubeconfig = v;
            return this;
        }

        public Builder insecureHttp(boolean v) {
            this.insecureHttp = v;
            return this;
        }

        public Builder attestEvery(Duration v) {
            this.attestEvery = v;
            return this;
        }

        public Builder egressDeny(List<String> v) {
            this.egressDeny = v;
            return this;
        }

        public Builder resyncEvery(Duration v) {
            this.resyncEvery = v;
            return this;
        }

        public ServerConfig build() {
            return new ServerConfig(
                    host,
                    port,
                    dataDir,
                    jdbcUrl,
                    dbUser,
                    dbPassword,
                    policyFile,
                    maxBodyBytes,
                    dbPoolSize,
                    publicUrl,
                    agentImage,
                    addonProbeInterval,
                    heartbeatGrace,
                    tlsCert,
                    tlsKey,
                    egressAllow,
                    allowInsecureKubeconfig,
                    insecureHttp,
                    attestEvery,
                    egressDeny,
                    resyncEvery,
                    ownerWrites,
                    agentWrites,
                    requestsInFlight);
        }
    }
}
