package network.aios.cli;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import network.aios.server.ControlPlane;
import network.aios.server.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the control plane until interrupted. */
@Command(
        name = "server",
        mixinStandardHelpOptions = true,
        description = "Run the control plane (embedded PostgreSQL in the data folder unless --db-url is given).")
final class ServerCommand implements Runnable {
    @Option(
            names = "--host",
            defaultValue = "${env:AIOS_HOST:-127.0.0.1}",
            description = "Address to listen on (env AIOS_HOST; default ${DEFAULT-VALUE}).")
    String host;

    @Option(
            names = "--port",
            defaultValue = "${env:AIOS_PORT:-8080}",
            description = "HTTP port (env AIOS_PORT; default ${DEFAULT-VALUE}).")
    int port;

    @Option(
            names = "--data-dir",
            defaultValue = "${env:AIOS_DATA:-data}",
            description =
                    "Data folder: embedded PostgreSQL and the admin token (env AIOS_DATA; default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(
            names = "--db-url",
            defaultValue = "${env:AIOS_DB_URL}",
            description = "JDBC URL of an external PostgreSQL, e.g. jdbc:postgresql://db:5432/aios (env AIOS_DB_URL).")
    String dbUrl;

    @Option(
            names = "--db-user",
            defaultValue = "${env:AIOS_DB_USER}",
            description = "External database user (env AIOS_DB_USER).")
    String dbUser;

    @Option(
            names = "--db-password-env",
            defaultValue = "AIOS_DB_PASSWORD",
            description =
                    "Name of the environment variable holding the external database password (default ${DEFAULT-VALUE}).")
    String dbPasswordEnv;

    @Option(
            names = "--policy-file",
            defaultValue = "${env:AIOS_POLICY_FILE}",
            description = "YAML/JSON file with the network's starting policies (action -> rules), applied to actions "
                    + "that have none yet (env AIOS_POLICY_FILE).")
    Path policyFile;

    @Option(
            names = "--public-url",
            defaultValue = "${env:AIOS_PUBLIC_URL}",
            description = "URL at which agents on member clusters reach this control plane (env AIOS_PUBLIC_URL; "
                    + "default http://<host>:<port>).")
    String publicUrl;

    @Option(
            names = "--agent-image",
            defaultValue = "${env:AIOS_AGENT_IMAGE:-aios/agent:0.1.0}",
            description = "Image of the AIOS agent services deployed on member clusters (default ${DEFAULT-VALUE}).")
    String agentImage;

    @Option(
            names = "--addon-probe-seconds",
            defaultValue = "30",
            description = "How often registered add-ons' URLs are probed (default ${DEFAULT-VALUE}).")
    long probeSeconds;

    @Option(
            names = "--tls-cert",
            defaultValue = "${env:AIOS_TLS_CERT}",
            description =
                    "Serve the API over TLS only: " + "PEM certificate chain (env AIOS_TLS_CERT); needs --tls-key.")
    java.nio.file.Path tlsCert;

    @Option(
            names = "--tls-key",
            defaultValue = "${env:AIOS_TLS_KEY}",
            description = "PKCS#8 PEM private key of " + "--tls-cert (env AIOS_TLS_KEY).")
    java.nio.file.Path tlsKey;

    @Option(
            names = "--heartbeat-grace-seconds",
            defaultValue = "30",
            description = "A cluster with no heartbeat for this long is Ready=Unknown and degraded (default "
                    + "${DEFAULT-VALUE}; agents send one every 5 s).")
    long graceSeconds;

    @Option(
            names = "--egress-allow",
            split = ",",
            defaultValue = "${env:AIOS_EGRESS_ALLOW}",
            description =
                    "Address ranges (CIDR, comma-separated or repeated) the control plane may reach on an owner's "
                            + "behalf although they are refused by default: loopback, link-local, cloud metadata. E.g. "
                            + "127.0.0.0/8 for a test cluster on this machine (env AIOS_EGRESS_ALLOW).")
    java.util.List<String> egressAllow;

    @Option(
            names = "--attest-seconds",
            defaultValue = "120",
            description = "Mean interval at which the control "
                    + "plane reads each cluster's nodes with its own credential to check what the agents report (default "
                    + "${DEFAULT-VALUE}; each check is drawn from half to one and a half of it; 0: off).")
    long attestSeconds;

    @Option(
            names = "--resync-seconds",
            defaultValue = "300",
            description = "How often each ready cluster's "
                    + "infrastructure is re-applied, repairing what was deleted or changed on the cluster and pruning what "
                    + "is no longer desired (0: never; default ${DEFAULT-VALUE}).")
    long resyncSeconds;

    @Option(
            names = "--insecure-http",
            description = "Serve plain HTTP on a non-loopback --host (refused otherwise; "
                    + "a warning in the log and on /healthz).")
    boolean insecureHttp;

    @Option(
            names = "--egress-deny",
            split = ",",
            defaultValue = "${env:AIOS_EGRESS_DENY}",
            description =
                    "Address ranges (CIDR) refused as destinations although allowed by default, e.g. the control "
                            + "plane's own private network (an --egress-allow range inside one still passes; env AIOS_EGRESS_DENY).")
    java.util.List<String> egressDeny;

    @Option(
            names = "--allow-insecure-kubeconfig",
            description = "Accept kubeconfigs with insecure-skip-tls-verify "
                    + "(refused by default: the API server's CA must be given).")
    boolean allowInsecureKubeconfig;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--owner-write-rate",
            defaultValue = "20/s,burst=100",
            description = "How fast each owner token may write (POST/PUT/PATCH/DELETE): N/s or N/min, "
                    + "optionally ,burst=M. Past it: 429 with Retry-After. The admin is not limited.")
    String ownerWriteRate;

    @Option(
            names = "--agent-write-rate",
            defaultValue = "5/s,burst=50",
            description = "How fast each cluster's agents may report (heartbeats, metrics, command receipts).")
    String agentWriteRate;

    @Option(
            names = "--requests-in-flight",
            defaultValue = "32",
            description = "How many requests each owner (each cluster's agents) may have under way at once, "
                    + "reads included; past it: 429. The admin is not limited.")
    int requestsInFlight;

    @Option(names = "--max-body-bytes", defaultValue = "1048576", description = "Largest request body accepted.")
    long maxBody;

    @Override
    public void run() {
        ServerConfig config = ServerConfig.defaults(dataDir.toAbsolutePath())
                .withHost(host)
                .withPort(port)
                .withDatabase(dbUrl, dbUser, dbUrl == null ? null : System.getenv(dbPasswordEnv))
                .withPolicyFile(policyFile)
                .withMaxBodyBytes(maxBody)
                .withAgents(publicUrl, agentImage)
                .withAddonProbeInterval(java.time.Duration.ofSeconds(probeSeconds))
                .withHeartbeatGrace(java.time.Duration.ofSeconds(graceSeconds));
        try {
            network.aios.egress.EgressGuard.of(
                    egressAllow == null ? java.util.List.of() : egressAllow,
                    egressDeny == null ? java.util.List.of() : egressDeny,
                    () -> 0);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(), "--egress-allow/--egress-deny: " + e.getMessage());
        }
        config = config.withEgress(egressAllow == null ? java.util.List.of() : egressAllow, allowInsecureKubeconfig)
                .withInsecureHttp(insecureHttp)
                .withAttestEvery(java.time.Duration.ofSeconds(attestSeconds))
                .withResyncEvery(java.time.Duration.ofSeconds(resyncSeconds))
                .withEgressDeny(egressDeny == null ? java.util.List.of() : egressDeny);
        try {
            config = config.withWriteLimits(
                    network.aios.server.auth.WriteLimits.Rate.parse(ownerWriteRate),
                    network.aios.server.auth.WriteLimits.Rate.parse(agentWriteRate));
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(), "--owner-write-rate/--agent-write-rate: " + e.getMessage());
        }
        if (requestsInFlight < 1) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(), "--requests-in-flight must be at least 1");
        }
        config = config.withRequestsInFlight(requestsInFlight);
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(), "--tls-cert and --tls-key go together");
        }
        if (tlsCert != null) {
            config = config.withTls(tlsCert.toAbsolutePath(), tlsKey.toAbsolutePath());
        }
        if (config.refusal() != null) { // after TLS is applied: --host 0.0.0.0 with --tls-cert/--tls-key is fine
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), config.refusal());
        }
        if (graceSeconds < 10) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(),
                    "--heartbeat-grace-seconds must be " + "at least 10 (agents send a heartbeat every 5 s)");
        }
        ControlPlane cp;
        try {
            cp = ControlPlane.start(config);
        } catch (RuntimeException e) {
            throw new CliException(startFailure(e, config), 1);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            Thread watchdog = haltAfter(SHUTDOWN_LIMIT);
                            cp.close();
                            stopped.countDown();
                            watchdog.interrupt();
                        },
                        "aios-shutdown"));
        if (cp.bootstrapToken() != null) {
            System.out.println();
            System.out.println("  First start: an admin token was created. It is shown only this once, and kept");
            System.out.println(
                    "  (readable by you alone) in " + config.dataDir().resolve(ControlPlane.ADMIN_TOKEN_FILE));
            System.out.println();
            System.out.println("    " + cp.bootstrapToken());
            System.out.println();
        }
        System.out.println("AIOS control plane listening on " + (config.tls() ? "https://" : "http://") + host + ":"
                + cp.port()
                + (dbUrl == null
                        ? " (embedded PostgreSQL in " + config.dataDir().resolve("postgres") + ")"
                        : " (external PostgreSQL)"));
        System.out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The most an orderly shutdown may take (SIGTERM); past it the process halts, whatever is stuck. */
    static final java.time.Duration SHUTDOWN_LIMIT = java.time.Duration.ofSeconds(30);

    /**
     * A daemon that halts the process (exit 143, as killed by SIGTERM) unless interrupted within {@code limit}:
     * a shutdown step that hangs (a stuck connection, a thread that ignores interrupts) cannot keep the
     * process alive after its supervisor asked it to stop.
     */
    static Thread haltAfter(java.time.Duration limit) {
        Thread t = new Thread(
                () -> {
                    try {
                        Thread.sleep(limit.toMillis());
                    } catch (InterruptedException done) {
                        return;
                    }
                    System.err.println("aios: shutdown took longer than " + limit.toSeconds() + " s; halting");
                    Runtime.getRuntime().halt(143);
                },
                "aios-shutdown-limit");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** One line that says why the server did not start and what to do, instead of a stack trace. */
    static String startFailure(RuntimeException e, ServerConfig config) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException
                    || t.getClass().getSimpleName().equals("JavalinBindException")) {
                return "port " + config.port() + " on " + config.host() + " is in use (another aios server?): stop it, "
                        + "or start with --port <free port>";
            }
            if (t instanceof IllegalStateException || t instanceof IllegalArgumentException) {
                return t.getMessage();
            }
        }
        org.slf4j.LoggerFactory.getLogger(ServerCommand.class).error("the control plane did not start", e);
        return "the control plane did not start: " + e.getMessage() + " (the log above has the details)";
    }
}
