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
import network.aios.api.kubeconfig.KubeconfigException;
import network.aios.api.kubeconfig.KubeconfigParser;
import network.aios.infra.Kubeconfigs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar aios-agent.jar --role=controller}: one of the AIOS services on a member cluster. In
 * the cluster it reads its settings from the environment the infrastructure gives it (ConfigMap
 * {@code aios-cluster}, Secret {@code aios-agent-credentials}) and talks to the API server as its
 * ServiceAccount; outside, {@code --kubeconfig} says which cluster.
 */
@Command(
        name = "aios-agent",
        mixinStandardHelpOptions = true,
        version = AgentMain.VERSION,
        description = "An AIOS service on a member cluster: controller, metrics, blocks or mgmt.")
public final class AgentMain implements Callable<Integer> {
    public static final String VERSION = "0.1.0";
    private static final Logger LOG = LoggerFactory.getLogger(AgentMain.class);

    @Option(names = "--role", required = true, description = "controller, metrics, blocks or mgmt")
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

    @Option(names = "--kubeconfig", description = "Run outside the cluster, against this kubeconfig's cluster.")
    Path kubeconfig;

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

    /** A running agent: its HTTP port, and close() to stop it. */
    public interface Running extends AutoCloseable {
        int port();

        @Override
        void close();
    }

    @Override
    public Integer call() {
        Running r = start();
        Runtime.getRuntime().addShutdownHook(new Thread(r::close));
        LOG.info("aios-agent {} role {} for cluster {} on port {}", VERSION, role, clusterId, r.port());
        try {
            Thread.currentThread().join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    Running start() {
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
        AgentConfig config = new AgentConfig(
                role,
                host,
                port,
                clusterId,
                controlPlaneUrl,
                token.trim(),
                ca,
                namespace,
                kubeconfig == null ? null : kubeconfig.toString(),
                Duration.ofMillis((long) (heartbeatSeconds * 1000)),
                Duration.ofMillis((long) (metricsSeconds * 1000)),
                egressAllow == null ? java.util.List.of() : egressAllow,
                grantKey,
                tlsCert,
                tlsKey,
                tokenFile);
        return start(config, Clock.systemUTC());
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
            default -> {
                kube.close();
                throw new CommandLine.ParameterException(
                        new CommandLine(new AgentMain()),
                        "unknown role '" + config.role() + "': controller, metrics, blocks or mgmt");
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
            public void close() {
                role.close();
                http.stop();
                kube.close();
            }
        };
    }

    /**
     * In a pod: the API server from the environment Kubernetes sets and the pod's ServiceAccount. Outside:
     * the kubeconfig file given, parsed by the same strict parser as an owner's (inline credentials only).
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
        try {
            return Kubeconfigs.config(new KubeconfigParser(true).parseText(read(Path.of(kubeconfigFile)), ""));
        } catch (KubeconfigException e) {
            throw new IllegalArgumentException("--kubeconfig " + kubeconfigFile + " cannot be used: " + e.errors());
        }
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
