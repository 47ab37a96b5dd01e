package network.aios.server;

import io.javalin.Javalin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import network.aios.egress.EgressGuard;
import network.aios.member.desired.InfraSettings;
import network.aios.policy.PolicyEngine;
import network.aios.policy.RemoteExecutorClient;
import network.aios.server.addons.AddonDeployments;
import network.aios.server.addons.AddonHealthMonitor;
import network.aios.server.addons.AddonService;
import network.aios.server.addons.InferenceGatewayRoutes;
import network.aios.server.auth.Principal;
import network.aios.server.auth.TokenService;
import network.aios.server.clusters.ClusterService;
import network.aios.server.domain.DomainException;
import network.aios.server.engine.ClusterConnector;
import network.aios.server.engine.RetryPolicy;
import network.aios.server.health.ClusterHealth;
import network.aios.server.http.AddonRoutes;
import network.aios.server.http.Authenticator;
import network.aios.server.http.ClusterRoutes;
import network.aios.server.http.GatewayRouteRoutes;
import network.aios.server.http.HealthRoutes;
import network.aios.server.http.Http;
import network.aios.server.http.InfraRoutes;
import network.aios.server.http.NodeJoinRoutes;
import network.aios.server.http.PolicyRoutes;
import network.aios.server.http.TokenRoutes;
import network.aios.server.infra.GatewayRouteService;
import network.aios.server.infra.InfraService;
import network.aios.server.policy.PolicyService;
import network.aios.server.policy.TrustedExecutors;
import network.aios.server.security.SecretBox;
import network.aios.store.AddonStore;
import network.aios.store.ClusterStore;
import network.aios.store.Database;
import network.aios.store.GatewayRouteStore;
import network.aios.store.JobStore;
import network.aios.store.ObservationStore;
import network.aios.store.PolicyStore;
import network.aios.store.TokenStore;
import network.aios.tls.TlsListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The composition root: wires store, policy, services and HTTP routes by hand, and owns their lifecycle. */
public final class ControlPlane implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlPlane.class);
    public static final String ADMIN_TOKEN_FILE = "admin-token";

    /** Member clusters: the control plane's own clients to them are shared, and closed with it. */
    private final ClusterConnector members;

    private final Database db;
    private final boolean ownsDb;
    private final Javalin http;
    private final TokenService tokens;
    private final String bootstrapToken;
    private final InfraService infra;
    private final network.aios.server.engine.Engine engine;
    private final network.aios.server.nodes.NodeJoinWatch nodeJoinWatch;
    private final network.aios.server.http.PullRoutes pullRoutes;
    private final AddonHealthMonitor addonHealth;
    private final ClusterHealth clusterHealth;
    private final network.aios.server.health.InventoryAttestor attestor;
    private final EgressGuard egress;
    private final network.aios.server.security.GrantSigner grants;
    private final network.aios.server.security.AgentCertificates agentCertificates;
    /** The port actually bound (known once started), which the egress guard refuses as a destination. */
    private final java.util.concurrent.atomic.AtomicInteger listeningPort;
    /** The background loops, supervised; /readyz reports them. */
    private final network.aios.server.runtime.Loops loops;

    /** Watches the embedded database's server process (the control plane exits if it dies). */
    private final network.aios.server.runtime.StoreWatch storeWatch;

    private ControlPlane(
            ServerConfig config,
            Database db,
            boolean ownsDb,
            Clock clock,
            ClusterConnector connector,
            RetryPolicy retry) {
        if (config.refusal() != null) {
            throw new IllegalArgumentException(config.refusal());
        }
        List<String> warnings = config.warnings(); // once: it may resolve the host name
        warnings.forEach(w -> LOG.warn("{}", w));
        this.db = db;
        this.ownsDb = ownsDb;
        this.loops = new network.aios.server.runtime.Loops(clock);
        this.storeWatch = new network.aios.server.runtime.StoreWatch(db::embeddedRunning);
        // every outbound call made on an owner's behalf goes through this one guard
        java.util.concurrent.atomic.AtomicInteger listening =
                new java.util.concurrent.atomic.AtomicInteger(config.port());
        this.listeningPort = listening;
        this.egress = EgressGuard.of(config.egressAllow(), config.egressDeny(), listening::get)
                // even with loopback allowed (a test cluster on this machine), an owner does not reach it
                .withOwnPort(db::embeddedPort, "the control plane's own database");
        ClusterConnector members = connector != null ? connector : ClusterConnector.guarded(egress);
        this.members = members;
        this.tokens = new TokenService(new TokenStore(db), clock);
        TokenStore tokenStore = new TokenStore(db);
        AddonStore addonStore = new AddonStore(db);
        // a policy may name a registered executor (admin's, or an owner the policy names): asked at its URL
        TrustedExecutors trusted = new TrustedExecutors(addonStore, tokenStore);
        PolicyService policies = new PolicyService(
                new PolicyStore(db), new PolicyEngine(new RemoteExecutorClient(egress), trusted), clock, trusted);
        if (config.policyFile() != null) {
            policies.seedFrom(config.policyFile());
        }
        policies.warnUntrustedExecutors();
        JobStore jobStore = new JobStore(db);
        network.aios.store.QuotaStore quotaStore = new network.aios.store.QuotaStore(db);
        network.aios.server.quotas.QuotaService quotas = new network.aios.server.quotas.QuotaService(quotaStore, clock);
        ClusterStore clusterStore = new ClusterStore(db);
        ClusterService clusters = new ClusterService(clusterStore, policies, clock, jobStore, addonStore, quotaStore);
        // an owner's agents count as that owner's; those of clusters an admin registered as nobody's
        network.aios.server.auth.AgentOwners agentOwners = new network.aios.server.auth.AgentOwners(id -> clusterStore
                .get(id)
                .map(network.aios.store.ClusterRecord::owner)
                .filter(owner -> !tokenStore.roleOf(owner).map("admin"::equals).orElse(false))
                .orElse(null));
        // failed logins and failed bootstrap-token exchanges count in one place, per source address and per token id
        network.aios.server.auth.AuthThrottle throttle = new network.aios.server.auth.AuthThrottle(clock);
        Authenticator auth = new Authenticator(
                tokens,
                throttle,
                new network.aios.server.auth.WriteLimits(
                        clock, config.ownerWrites(), config.agentWrites(), agentOwners),
                new network.aios.server.auth.InFlight(config.requestsInFlight()),
                agentOwners);
        this.bootstrapToken = bootstrapAdmin(config.dataDir());

        TlsListener tls = config.tls() ? TlsListener.load(config.tlsCert(), config.tlsKey()) : null;
        SecretBox box = SecretBox.fromEnvOrDataDir(System.getenv("AIOS_SECRET_KEY"), config.dataDir());
        this.grants =
                network.aios.server.security.GrantSigner.load(new network.aios.store.SigningKeyStore(db), box, clock);
        this.agentCertificates = network.aios.server.security.AgentCertificates.load(
                new network.aios.store.SigningKeyStore(db), box, clock);
        GatewayRouteStore gatewayRouteStore = new GatewayRouteStore(db);
        InfraSettings infraSettings = new InfraSettings(
                config.agentImage(),
                "IfNotPresent",
                config.controlPlaneUrl(config.port()),
                1,
                tls == null ? null : tls.certificatePem(),
                grants.publicKeyBase64());
        // the job engine, built once: request services queue its jobs and wake it, never build it
        this.engine = new network.aios.server.engine.Engine(
                clusterStore,
                addonStore,
                gatewayRouteStore,
                jobStore,
                tokens,
                box,
                infraSettings,
                members,
                clock,
                retry,
                8,
                agentCertificates,
                config.resyncEvery());
        this.infra = new InfraService(
                clusters,
                clusterStore,
                addonStore,
                jobStore,
                box,
                infraSettings,
                members,
                clock,
                config.allowInsecureKubeconfig(),
                engine);
        network.aios.server.pull.PullService pull = new network.aios.server.pull.PullService(
                clusters,
                clusterStore,
                jobStore,
                new network.aios.store.JoinStore(db),
                tokens,
                policies,
                gatewayRouteStore,
                box,
                agentCertificates,
                infraSettings,
                clock);
        this.pullRoutes = new network.aios.server.http.PullRoutes(pull, clock, throttle);
        InfraRoutes infraRoutes = new InfraRoutes(infra, pull);
        ClusterRoutes clusterRoutes = new ClusterRoutes(clusters, infra, pull::pulled);
        AddonService addonService = new AddonService(addonStore, clusterStore, jobStore, clock);
        GatewayRouteService gatewayRouteService = new GatewayRouteService(
                clusters, gatewayRouteStore, clock, infra::applySoon, pull::pulled, pull.signals()::changed);
        AddonRoutes addonRoutes = new AddonRoutes(
                addonService,
                new AddonDeployments(addonService, infra),
                new InferenceGatewayRoutes(addonService, gatewayRouteService));
        this.addonHealth = new AddonHealthMonitor(addonStore, clock, config.addonProbeInterval(), egress);
        network.aios.store.AttestationStore attestations = new network.aios.store.AttestationStore(db);
        this.attestor = new network.aios.server.health.InventoryAttestor(
                attestations,
                new ObservationStore(db),
                id -> infra.readWithOwnCredential(id, ops -> network.aios.member.NodeInventory.of(ops.nodes())),
                clock,
                config.attestEvery());
        this.clusterHealth = new ClusterHealth(
                new ObservationStore(db),
                clusterStore,
                new network.aios.store.AuditStore(db),
                clock,
                config.heartbeatGrace(),
                attestor,
                attestations);
        // external nodes: tokens put on the cluster by the engine (push) or the agent (pull), followed by a loop
        network.aios.store.NodeJoinStore nodeJoinStore = jobStore.nodeJoins();
        network.aios.server.nodes.NodeJoinService.Member nodeMember =
                new network.aios.server.nodes.NodeJoinService.Member() {
                    @Override
                    public Optional<network.aios.member.desired.NodeJoin.ClusterInfo> clusterInfo(
                            network.aios.server.auth.Principal who, String clusterId) {
                        return pull.pulled(clusterId) ? pull.clusterInfo(clusterId) : infra.clusterInfo(who, clusterId);
                    }

                    @Override
                    public boolean canApply(String clusterId) {
                        return pull.pulled(clusterId) || infra.hasInfra(clusterId);
                    }

                    @Override
                    public void tokensChanged(String clusterId) {
                        if (pull.pulled(clusterId)) {
                            pull.signals().changed(clusterId);
                        } else {
                            infra.applySoon(clusterId);
                        }
                    }
                };
        NodeJoinRoutes nodeJoinRoutes = new NodeJoinRoutes(new network.aios.server.nodes.NodeJoinService(
                clusters, nodeJoinStore, policies, box, nodeMember, clock));
        this.nodeJoinWatch = new network.aios.server.nodes.NodeJoinWatch(
                nodeJoinStore, clusterStore, policies, nodeMember, clusters::documentChanged, clock);
        clusters.onDocumentChange(id -> {
            clusterHealth.documentChanged(id);
            pull.signals().changed(id); // a pull cluster's agent, waiting, gets the new desired state at once
            tokens.forgetCluster(id); // deleted: the credentials its deletion revoked are not trusted from memory
        });
        HealthRoutes healthRoutes = new HealthRoutes(clusterHealth, clusters);
        GatewayRouteRoutes gatewayRoutes = new GatewayRouteRoutes(gatewayRouteService);
        PolicyRoutes policyRoutes = new PolicyRoutes(policies);
        network.aios.server.http.AuditRoutes auditRoutes = new network.aios.server.http.AuditRoutes(
                new network.aios.server.audit.AuditLog(new network.aios.store.AuditStore(db)));
        network.aios.server.clusters.CommandService commands = new network.aios.server.clusters.CommandService(
                clusters, grants, agentCertificates.caPem(), new network.aios.store.AuditStore(db), clock, quotas);
        TokenRoutes tokenRoutes = new TokenRoutes(tokens);
        this.http = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.http.maxRequestSize = config.maxBodyBytes();
            // API answers are a few KB of JSON; compressing them cost more CPU than it saved bytes (see BENCHMARKS.md)
            c.http.compressionStrategy = io.javalin.compression.CompressionStrategy.NONE;
            c.jetty.host = config.host();
            c.jetty.port = config.port();
            if (tls != null) {
                c.jetty.port = -1; // no plain-HTTP listener at all
                c.jetty.addConnector(
                        (server, httpConfig) -> tls.connector(server, httpConfig, config.host(), config.port()));
            }
            new network.aios.server.http.ProbeRoutes(db::answers, loops, warnings, clock).register(c.routes);
            c.routes.before(ctx -> {
                if (!network.aios.server.http.ProbeRoutes.PATHS.contains(ctx.path())
                        && !network.aios.server.http.PullRoutes.EXCHANGE.equals(ctx.path())) {
                    auth.authenticate(ctx);
                }
                Http.requireStorableParameters(ctx);
            });
            c.jetty.modifyServletContextHandler(h -> h.addFilter(
                    new org.eclipse.jetty.ee10.servlet.FilterHolder(auth.releaseWhenWritten()),
                    "/*",
                    java.util.EnumSet.of(jakarta.servlet.DispatcherType.REQUEST)));
            clusterRoutes.register(c.routes);
            policyRoutes.register(c.routes);
            tokenRoutes.register(c.routes);
            infraRoutes.register(c.routes);
            addonRoutes.register(c.routes);
            healthRoutes.register(c.routes);
            gatewayRoutes.register(c.routes);
            auditRoutes.register(c.routes);
            pullRoutes.register(c.routes);
            nodeJoinRoutes.register(c.routes);
            new network.aios.server.http.QuotaRoutes(quotas).register(c.routes);
            new network.aios.server.http.CommandRoutes(commands, agentCertificates.caPem()).register(c.routes);
            network.aios.server.http.ErrorMapping.register(c.routes, config.maxBodyBytes());
        });
    }

    /** Starts on an already open database (tests, benchmarks); the caller keeps ownership of it. */
    public static ControlPlane start(ServerConfig config, Database db, Clock clock) {
        return start(config, db, clock, null, RetryPolicy.defaults());
    }

    /**
     * As above, with how member clusters are reached (null: through the egress guard, as in production) and
     * retried replaced (fault-injection tests).
     */
    public static ControlPlane start(
            ServerConfig config, Database db, Clock clock, ClusterConnector connector, RetryPolicy retry) {
        return new ControlPlane(config, db, false, clock, connector, retry).run(false);
    }

    /** The background loops (their state; fault injection in tests). */
    public network.aios.server.runtime.Loops loops() {
        return loops;
    }

    /**
     * Starts serving and the background work; {@code soleUser}: see
     * {@link InfraService#start(boolean, network.aios.server.runtime.Loops)}.
     */
    private ControlPlane run(boolean soleUser) {
        try {
            http.start();
            listeningPort.set(port());
            engine.start(soleUser, loops);
            if (db.isEmbedded()) {
                storeWatch.start(loops);
            }
            addonHealth.start(loops);
            nodeJoinWatch.start(loops);
            clusterHealth.start(loops);
            attestor.start(loops);
            return this;
        } catch (RuntimeException e) {
            close(); // a half-started control plane holds no port and no threads (and its own database goes)
            throw e;
        }
    }

    /** Starts with the database the configuration names: embedded by default, or external by JDBC URL. */
    public static ControlPlane start(ServerConfig config) {
        if (config.tls()) {
            // what the flags name is checked before anything is written: a bad certificate leaves no data dir
            TlsListener.load(config.tlsCert(), config.tlsKey());
        }
        Database db = config.jdbcUrl() == null
                ? Database.embedded(config.dataDir().resolve("postgres"), config.dbPoolSize())
                : Database.external(config.jdbcUrl(), config.dbUser(), config.dbPassword(), config.dbPoolSize());
        ControlPlane cp;
        try {
            cp = new ControlPlane(config, db, true, Clock.systemUTC(), null, RetryPolicy.defaults());
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        return cp.run(db.isEmbedded()); // it owns the database now: a failed start closes it
    }

    /** The port it listens on (the TLS listener's, when it serves TLS). */
    public int port() {
        return TlsListener.boundPort(http.jettyServer().server(), http.port());
    }

    /** Every HTTP route served, as "METHOD /path/{param}" (the authorization matrix test is generated from it). */
    public java.util.List<String> routes() {
        return http.unsafe.internalRouter.allHttpHandlers().stream()
                .map(e -> e.endpoint)
                .filter(e -> java.util.Set.of("GET", "POST", "PUT", "PATCH", "DELETE")
                        .contains(e.method.name()))
                .map(e -> e.method.name() + " " + e.path)
                .distinct()
                .sorted()
                .toList();
    }

    /** The public half of the key mgmt grants are signed with (base64 X.509), as member clusters get it. */
    public String grantPublicKey() {
        return grants.publicKeyBase64();
    }

    /** The admin token created on this start, if the network had none; null otherwise. */
    public String bootstrapToken() {
        return bootstrapToken;
    }

    public TokenService tokens() {
        return tokens;
    }

    /**
     * On first start (no active admin token), issues one, writes it to {@code dataDir/admin-token}
     * (owner-only permissions) and returns it so the launcher can print it once. Only its hash is stored.
     */
    private String bootstrapAdmin(Path dataDir) {
        if (tokens.anyAdmin()) {
            return null;
        }
        String name = "admin";
        TokenService.Issued issued;
        try {
            issued = tokens.issue(name, Principal.Role.ADMIN, "bootstrap");
        } catch (DomainException taken) {
            issued = tokens.issue(name + "-" + System.currentTimeMillis() / 1000, Principal.Role.ADMIN, "bootstrap");
        }
        try {
            Files.createDirectories(dataDir);
            Path file = dataDir.resolve(ADMIN_TOKEN_FILE);
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, issued.token() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the admin token to " + dataDir, e);
        }
        return issued.token();
    }

    @Override
    public void close() {
        storeWatch.close(); // first: stopping the embedded database below is not its death
        attestor.close();
        clusterHealth.close();
        addonHealth.close();
        nodeJoinWatch.close();
        engine.close();
        pullRoutes.close();
        members.close();
        http.stop();
        if (ownsDb) {
            db.close();
        }
    }
}
