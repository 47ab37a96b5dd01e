package network.aios.agent;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javalin.Javalin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import network.aios.api.Json;
import network.aios.member.Kubeconfigs;
import network.aios.member.LocalKubeconfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar aios-agent.jar --role=controller}: one of the AIOS services on a member cluster. In
 * the cluster it reads its settings from the environment the infrastructure gives it (ConfigMap
 * {@code aios-cluster}, Secret {@code aios-agent-credentials}) and talks to the API server as its
 * ServiceAccount; outside, {@code --kubeconfig} says which cluster, read as kubectl reads it (see
 * {@link LocalKubeconfig}: the kubeconfig of whoever runs the agent, not an owner's text sent to the control
 * plane). Role {@code pull} ({@link PullRole}) needs only the control plane's URL: it joins with a bootstrap
 * token and learns its cluster id from the exchange.
 */
@Command(
        name = "aios-agent",
        mixinStandardHelpOptions = true,
        version = AgentMain.VERSION,
        description = "An AIOS service on a member cluster: controller, metrics, blocks, mgmt, or pull (pull mode).")
public final class AgentMain implements Callable<Integer> {
    public static final String VERSION = "0.1.0";
    private static final Logger LOG = LoggerFactory.getLogger(AgentMain.class);

    @Option(names = "--role", required = true, description = "controller, metrics, blocks, mgmt or pull")
    String role;

    @Option(
            names = "--namespace",
            defaultValue = "${env:AIOS_NAMESPACE:-aios-system}",
            description = "Where the blocks log is kept (the agents' namespace).")
    String namespace;

    @Option(names = "--port", defaultValue = "8080")
    int port;

    @Option(names = "--host", defaultValue = "0.0.0.0")
    String host;

    @Option(names = "--cluster-id", defaultValue = "${env:AIOS_CLUSTER_ID}")
    String clusterId;

    @Option(names = "--control-plane", defaultValue = "${env:AIOS_CONTROL_PLANE_URL}")
    String controlPlaneUrl;

    @Option(names = "--token-file", description = "A file holding the agent token; otherwise AIOS_AGENT_TOKEN.")
    Path tokenFile;

    @Option(
            names = "--control-plane-ca",
            description = "PEM certificate(s) to trust for an https control plane; "
                    + "otherwise AIOS_CONTROL_PLANE_CA (its text, as the infrastructure's ConfigMap carries it), else the "
                    + "JDK's default trust.")
    Path controlPlaneCa;

    @Option(
            names = "--kubeconfig",
            description = "Run outside the cluster, against this kubeconfig's current context, read as kubectl "
                    + "reads it (certificate files, exec plugins): it is the kubeconfig of whoever runs the agent. "
                    + "(Kubeconfigs sent to the control plane are read by its strict parser instead.)")
    Path kubeconfig;

    @Option(
            names = "--bootstrap-token-file",
            description = "Pull role: a file holding the join's bootstrap token (aiosjoin_...); otherwise "
                    + "AIOS_BOOTSTRAP_TOKEN. Used once, when no pull credential is kept yet.")
    Path bootstrapTokenFile;

    @Option(
            names = "--state-dir",
            description = "Pull role: keep the pull credential in DIR/credential (mode 0600); needed with "
                    + "--kubeconfig. Without it, in a pod: Secret aios-pull-credential in the agent's namespace.")
    Path stateDir;

    @Option(
            names = "--rotate-hours",
            defaultValue = "24",
            description = "Pull role: ask for a new pull credential when the one kept is this old.")
    double rotateHours;

    @Option(
            names = "--egress-allow",
            split = ",",
            description = "Address ranges (CIDR) block forwarding may reach "
                    + "although they are refused by default (loopback, link-local, metadata); env AIOS_EGRESS_ALLOW.",
            defaultValue = "${env:AIOS_EGRESS_ALLOW}")
    java.util.List<String> egressAllow;

    @Option(
            names = "--grant-key",
            defaultValue = "${env:AIOS_CONTROL_PLANE_GRANT_KEY}",
            description = "The control "
                    + "plane's public key for mgmt grants (base64 X.509 Ed25519; ConfigMap aios-cluster carries it).")
    String grantKey;

    @Option(
            names = "--tls-cert",
            description = "Serve HTTPS with this PEM certificate (chain); in a cluster, the "
                    + "certificate the control plane issued for it (Secret aios-agent-tls). Without it: plain HTTP.")
    Path tlsCert;

    @Option(names = "--tls-key", description = "The PKCS#8 PEM key of --tls-cert.")
    Path tlsKey;

    @Option(names = "--heartbeat-seconds", defaultValue = "5")
    double heartbeatSeconds;

    @Option(names = "--metrics-seconds", defaultValue = "15")
    double metricsSeconds;

    /** A running agent: its HTTP port, close() to stop it, and finished() when its role stops by itself. */
    public interface Running extends AutoCloseable {
        int port();

        /** Completed with the exit code when the role stops by itself (the pull role); never for the others. */
        java.util.concurrent.CompletableFuture<Integer> finished();

        @Override
        void close();
    }

    @Override
    public Integer call() {
        Running r = start();
        Runtime.getRuntime().addShutdownHook(new Thread(r::close));
        LOG.info(
                "aios-agent {} role {} for cluster {} on port {}",
                VERSION,
                role,
                clusterId == null ? "(from the join)" : clusterId,
                r.port());
        try {
            return r.finished().get(); // the pull role stops by itself (revoked, refused, removed)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.error("the {} role failed", role, e.getCause());
            return 1;
        }
    }

    Running start() {
        if ("pull".equals(role)) {
            return start(pullConfig(), Clock.systemUTC());
        }
        String token = tokenFile != null ? read(tokenFile) : System.getenv("AIOS_AGENT_TOKEN");
        if (clusterId == null
                || clusterId.isBlank()
                || controlPlaneUrl == null
                || controlPlaneUrl.isBlank()
                || token == null
                || token.isBlank()) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this),
                    "the cluster id (AIOS_CLUSTER_ID), the "
                            + "control plane's URL (AIOS_CONTROL_PLANE_URL) and the agent token (AIOS_AGENT_TOKEN) are needed");
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--tls-cert and --tls-key go together");
        }
        String ca = controlPlaneCa != null ? read(controlPlaneCa) : System.getenv("AIOS_CONTROL_PLANE_CA");
        AgentConfig config = config(clusterId, token.trim(), ca, tokenFile, null);
        return start(config, Clock.systemUTC());
    }

    /** The pull role's settings: the control plane's URL is all it needs to start (the join gives the rest). */
    AgentConfig pullConfig() {
        if (controlPlaneUrl == null || controlPlaneUrl.isBlank()) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this),
                    "the control plane's URL (--control-plane or AIOS_CONTROL_PLANE_URL) is needed");
        }
        if (kubeconfig != null && stateDir == null) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this),
                    "--state-dir is needed with --kubeconfig: where the pull credential is kept outside a pod");
        }
        if (!(rotateHours > 0)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--rotate-hours must be more than 0");
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--tls-cert and --tls-key go together");
        }
        String bootstrap =
                bootstrapTokenFile != null ? read(bootstrapTokenFile) : System.getenv("AIOS_BOOTSTRAP_TOKEN");
        return config(
                null,
                null,
                controlPlaneCa != null ? read(controlPlaneCa) : System.getenv("AIOS_CONTROL_PLANE_CA"),
                null,
                new PullSettings(new PullSettings.BootstrapToken(bootstrap), stateDir, Duration.ofMillis((long)
                        (rotateHours * 3_600_000))));
    }

    /** The settings every role shares, from the options, with what differs between the push roles and pull. */
    private AgentConfig config(String cluster, String agentToken, String ca, Path agentTokenFile, PullSettings pull) {
        return new AgentConfig(
                role,
                host,
                port,
                cluster,
                controlPlaneUrl,
                agentToken,
                ca,
                namespace,
                kubeconfig == null ? null : kubeconfig.toString(),
                Duration.ofMillis((long) (heartbeatSeconds * 1000)),
                Duration.ofMillis((long) (metricsSeconds * 1000)),
                egressAllow == null ? java.util.List.of() : egressAllow,
                grantKey,
                tlsCert,
                tlsKey,
                agentTokenFile,
                pull);
    }

    static Running start(AgentConfig config, Clock clock) {
        KubernetesClient kube = new KubernetesClientBuilder()
                .withConfig(kubeConfig(config.kubeconfig()))
                .build();
        ControlPlaneClient cp =
                new ControlPlaneClient(config.controlPlaneUrl(), config::currentToken, config.controlPlaneCa());
        AgentContext agent = new AgentContext(config, kube, cp, clock);
        Role role = switch (config.role()) {
            case "controller" -> new ControllerRole(agent);
            case "metrics" -> new MetricsRole(agent);
            case "blocks" -> new BlocksRole(agent);
            case "mgmt" -> new MgmtRole(agent);
            case "pull" -> new PullRole(agent, pullStore(config, kube, clock));
            default -> {
                kube.close();
                throw new CommandLine.ParameterException(
                        new CommandLine(new AgentMain()),
                        "unknown role '" + config.role() + "': controller, metrics, blocks, mgmt or pull");
            }
        };
        network.aios.tls.TlsListener tls =
                config.tls() ? network.aios.tls.TlsListener.load(config.tlsCert(), config.tlsKey()) : null;
        Javalin http = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.jetty.host = config.host();
            c.jetty.port = config.port();
            if (tls != null) {
                c.jetty.port = -1; // HTTPS only
                c.jetty.addConnector(
                        (server, httpConfig) -> tls.connector(server, httpConfig, config.host(), config.port()));
            }
            c.routes.get(
                    "/healthz",
                    ctx -> Web.json(ctx, Json.object().put("status", "ok").put("role", config.role())));
            role.routes(c.routes);
        });
        http.start();
        role.start();
        return new Running() {
            @Override
            public int port() {
                return network.aios.tls.TlsListener.boundPort(http.jettyServer().server(), http.port());
            }

            @Override
            public java.util.concurrent.CompletableFuture<Integer> finished() {
                return role.finished();
            }

            @Override
            public void close() {
                role.close();
                http.stop();
                kube.close();
            }
        };
    }

    /**
     * Where the pull role keeps its credential: {@code --state-dir}'s file; else, in a pod, the Secret in the
     * pod's own namespace (as its ServiceAccount says it, else {@code --namespace}).
     */
    static PullCredentialStore pullStore(AgentConfig config, KubernetesClient kube, Clock clock) {
        if (config.pull().stateDir() != null) {
            return new PullCredentialFile(config.pull().stateDir());
        }
        Path podNamespace = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");
        String ns = Files.isReadable(podNamespace) ? read(podNamespace).trim() : config.namespace();
        return new PullCredentialSecret(kube, ns, clock);
    }

    /**
     * In a pod: the API server from the environment Kubernetes sets and the pod's ServiceAccount, built by
     * hand. Outside: the kubeconfig file given, read as kubectl reads it ({@link LocalKubeconfig}): it is the
     * kubeconfig of whoever runs this process, so its certificate files and exec plugins are theirs to use.
     * The strict parser (inline credentials only, no programs, no files) is for kubeconfigs sent to the
     * control plane, which come from owners it does not trust.
     */
    static Config kubeConfig(String kubeconfigFile) {
        if (kubeconfigFile == null) {
            Path sa = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");
            String host = System.getenv("KUBERNETES_SERVICE_HOST");
            if (host == null) {
                throw new IllegalStateException("not in a pod (KUBERNETES_SERVICE_HOST is unset): give --kubeconfig");
            }
            return Kubeconfigs.inCluster(
                    host,
                    System.getenv().getOrDefault("KUBERNETES_SERVICE_PORT", "443"),
                    sa.resolve("token"),
                    sa.resolve("ca.crt"));
        }
        return LocalKubeconfig.load(Path.of(kubeconfigFile));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p, e);
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new AgentMain()).execute(args));
    }
}
