package network.aios.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import network.aios.api.Json;
import network.aios.member.desired.InfraNames;
import network.aios.server.KubeTestCluster;
import network.aios.server.KubeletStandIn;
import network.aios.server.TestServer;
import org.junit.jupiter.api.Test;

/**
 * One owner floods every write route it may use while another onboards a cluster on the real kube-apiserver,
 * against a control plane as `aios server` runs it (its own JVM, production limits) with its heap capped at
 * 256 MB. The flooder's API server accepts connections and never answers; its add-ons sit at that address.
 * The other owner's preflight, job and add-on probe still finish, the admin reads the audit log, every
 * background loop keeps ticking, nothing runs out of memory, and SIGTERM then ends the process in bounded time.
 */
class NoisyNeighbourIT {
    static LocalApi.Reply send(int port, String method, String path, String token, String body) {
        return LocalApi.send(port, method, path, token, body);
    }

    /** A TCP listener that accepts every connection and never answers (nor closes) until closed itself. */
    static final class Silent implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0, 1000, java.net.InetAddress.getLoopbackAddress());
        final List<Socket> held = new CopyOnWriteArrayList<>();
        final Thread acceptor = new Thread(() -> {
            while (!socket.isClosed()) {
                try {
                    held.add(socket.accept());
                } catch (IOException e) {
                    return;
                }
            }
        });

        Silent() throws IOException {
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : held) {
                s.close();
            }
        }
    }

    static String kubeconfigBody(String clusterId, String yaml) {
        return Json.MAPPER.writeValueAsString(
                Json.object().put("cluster_id", clusterId).put("kube_config_data", yaml));
    }

    @Test
    void oneOwnersFloodCostsAnotherOwnerNothingItNeeds() throws Exception {
        KubeTestCluster kube = KubeTestCluster.shared();
        kube.prepare(List.of("node-1", "node-2"));
        kube.awaitNamespaceGone(InfraNames.NAMESPACE);
        Path data = Files.createTempDirectory("aios-noisy").resolve("data");
        int port = CrashRestartIT.freePort();
        Process server = LocalApi.server(
                data, port, List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError"), "--addon-probe-seconds", "2");
        ExecutorService flood = Executors.newFixedThreadPool(48);
        AtomicBoolean attacking = new AtomicBoolean(true);
        Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
        HttpServer victimAddon = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        victimAddon.createContext("/", ex -> {
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        victimAddon.start();
        KubeletStandIn kubelet = null;
        try (Silent silent = new Silent()) {
            KubeTestCluster.await(
                    () -> send(port, "GET", "/readyz", null, null).status() == 200,
                    Duration.ofSeconds(90),
                    "the control plane to be ready");
            String admin = Files.readString(data.resolve("admin-token")).trim();
            String mallory = send(port, "POST", "/api/v1/tokens", admin, "{\"name\":\"mallory\"}")
                    .body()
                    .path("token")
                    .asString();
            String victim = send(port, "POST", "/api/v1/tokens", admin, "{\"name\":\"victim\"}")
                    .body()
                    .path("token")
                    .asString();
            assertThat(send(port, "POST", "/api/createCluster", victim, TestServer.seedWithId("v-0"))
                            .status())
                    .isEqualTo(201);
            String good = kubeconfigBody("v-0", kube.ownerKubeconfigYaml());
            LocalApi.Reply alone = send(port, "POST", "/api/v1/clusters/v-0/preflight", victim, good);
            assertThat(alone.status()).as(String.valueOf(alone.body())).isEqualTo(200);

            // the flood: the same API server certificate authority, at an address that never answers
            assertThat(send(port, "POST", "/api/createCluster", mallory, TestServer.seedWithId("m-0"))
                            .status())
                    .isEqualTo(201);
            tools.jackson.databind.node.ObjectNode kc =
                    (tools.jackson.databind.node.ObjectNode) Json.YAML.readTree(kube.ownerKubeconfigYaml());
            ((tools.jackson.databind.node.ObjectNode) kc.get("clusters").get(0).get("cluster"))
                    .put("server", "https://127.0.0.1:" + silent.port());
            String silentYaml = Json.yaml(kc);
            String bad = kubeconfigBody("m-0", silentYaml);
            String agent = agentToken(data, "m-0");
            String bigReport = "{\"at\": \"2026-12-03T12:00:00Z\", \"by\": \"mallory\", \"command\": \"block\", "
                    + "\"status\": 200, \"request\": {}, \"result\": {\"out\": \"" + "y".repeat(200_000) + "\"}}";
            String beat = "{\"agent\": {\"role\": \"controller\", \"version\": \"x\"}}";
            String bigCommand =
                    "{\"command\": \"block\", \"blockId\": \"b\", \"body\": {\"pad\": \"" + "x".repeat(3800) + "\"}}";
            List<Runnable> attacks = List.of(
                    () -> count(
                            answers, "heartbeat", send(port, "POST", "/api/v1/clusters/m-0/heartbeat", agent, beat)),
                    () -> count(answers, "report", send(port, "POST", "/api/v1/clusters/m-0/audit", agent, bigReport)),
                    () -> count(
                            answers, "preflight", send(port, "POST", "/api/v1/clusters/m-0/preflight", mallory, bad)),
                    () -> count(answers, "infra", send(port, "POST", "/create-cluster-infra", mallory, bad)),
                    () -> count(
                            answers,
                            "command",
                            send(port, "POST", "/api/v1/clusters/m-0/commands", mallory, bigCommand)),
                    () -> count(
                            answers,
                            "register",
                            send(
                                    port,
                                    "POST",
                                    "/api/createCluster",
                                    mallory,
                                    TestServer.seedWithId("m-" + System.nanoTime()))),
                    () -> count(
                            answers,
                            "addon",
                            send(
                                    port,
                                    "POST",
                                    "/container_registry",
                                    mallory,
                                    "{\"container_registry_name\":\"m-" + System.nanoTime() + "\","
                                            + "\"container_registry_public_url\":\"http://127.0.0.1:" + silent.port()
                                            + "\"}")));
            for (int t = 0; t < 40; t++) {
                Runnable attack = attacks.get(t % attacks.size());
                flood.submit(() -> {
                    while (attacking.get()) {
                        attack.run();
                    }
                });
            }
            KubeTestCluster.await(
                    () -> silent.held.size() >= 4 && answers.containsKey("command"),
                    Duration.ofSeconds(60),
                    "the flood to reach the silent API server");

            // the other owner, meanwhile: preflight, an add-on that is probed, a job to Ready
            LocalApi.Reply under = send(port, "POST", "/api/v1/clusters/v-0/preflight", victim, good);
            assertThat(under.status()).as(String.valueOf(under.body())).isEqualTo(200);
            LocalApi.Reply registered = send(
                    port,
                    "POST",
                    "/container_registry",
                    victim,
                    "{\"container_registry_name\":\"v-reg\",\"container_registry_public_url\":\"http://127.0.0.1:"
                            + victimAddon.getAddress().getPort() + "\"}");
            assertThat(registered.status()).isEqualTo(201);
            String regPath =
                    "/container_registry/" + registered.body().path("id").asString();
            LocalApi.Reply create = send(port, "POST", "/create-cluster-infra", victim, good);
            assertThat(create.status()).as(String.valueOf(create.body())).isEqualTo(200);
            kubelet = kube.fakeKubelet(InfraNames.NAMESPACE, 300);
            KubeTestCluster.await(
                    () -> "Ready"
                            .equals(send(port, "GET", "/api/v1/clusters/v-0/infra", victim, null)
                                    .body()
                                    .path("job")
                                    .path("state")
                                    .asString(null)),
                    Duration.ofMinutes(3),
                    "the other owner's job to finish");
            KubeTestCluster.await(
                    () -> "up"
                            .equals(send(port, "GET", regPath, victim, null)
                                    .body()
                                    .at("/system/health/status")
                                    .asString(null)),
                    Duration.ofSeconds(60),
                    "the other owner's add-on to be probed");
            LocalApi.Reply audit = send(port, "GET", "/api/v1/audit?limit=1000", admin, null);
            assertThat(audit.status()).isEqualTo(200);
            LocalApi.Reply ready = send(port, "GET", "/readyz", null, null);
            assertThat(ready.status()).as(String.valueOf(ready.body())).isEqualTo(200);
            assertThat(silent.held)
                    .as("the flooder's calls were really made and held")
                    .isNotEmpty();
            assertThat(answers.get("command").get()).isPositive();
            System.out.printf(
                    "noisy neighbour: preflight alone %d ms, under flood %d ms; flooder's answers %s%n",
                    alone.millis(), under.millis(), answers);
            // a slow cluster costs its owner time, never anyone else's (it was 124 s instead of 0.4 s)
            assertThat(under.millis()).isLessThan(alone.millis() * 3 + 5_000);
            assertThat(answers).containsKey("429");
            assertThat(answers).as("its agent's reports were paced").containsKeys("report:202", "report:429");
            assertThat(answers).doesNotContainKey("500");
            assertThat(answers)
                    .as("the silent API server never got infrastructure")
                    .doesNotContainKey("infra:200");

            attacking.set(false);
            flood.shutdown();
            assertThat(flood.awaitTermination(2, TimeUnit.MINUTES)).isTrue();
            assertThat(send(port, "POST", "/remove-cluster-infra", victim, good).status())
                    .isEqualTo(200);
            try (AutoCloseable terminator = kube.podTerminator(InfraNames.NAMESPACE)) {
                KubeTestCluster.await(
                        () -> "Removed"
                                .equals(send(port, "GET", "/api/v1/clusters/v-0/infra", victim, null)
                                        .body()
                                        .path("job")
                                        .path("state")
                                        .asString(null)),
                        Duration.ofMinutes(2),
                        "the removal");
            }
            kube.awaitNamespaceGone(InfraNames.NAMESPACE);
            assertThat(server.isAlive()).as("no OutOfMemoryError ended it").isTrue();
            server.destroy(); // SIGTERM
            assertThat(server.waitFor(45, TimeUnit.SECONDS))
                    .as("SIGTERM ends it within its shutdown limit")
                    .isTrue();
        } finally {
            attacking.set(false);
            flood.shutdownNow();
            victimAddon.stop(0);
            if (kubelet != null) {
                kubelet.destroy();
            }
            server.destroyForcibly();
        }
    }

    /**
     * A token for the agents on {@code cluster}, as its infrastructure job would mint it (the flooder owns that
     * cluster, so it holds its agents' token), written straight into the control plane's own database.
     */
    static String agentToken(Path data, String cluster) throws Exception {
        Path pg = data.resolve("postgres");
        int pgPort = Integer.parseInt(
                Files.readAllLines(pg.resolve("postmaster.pid")).get(3).trim());
        String password = Files.readString(data.resolve("postgres.password")).trim();
        try (network.aios.store.Database direct = network.aios.store.Database.external(
                "jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres", "postgres", password, 2)) {
            return new network.aios.server.auth.TokenService(
                            new network.aios.store.TokenStore(direct), java.time.Clock.systemUTC())
                    .issueAgent(cluster, "test")
                    .token();
        }
    }

    static void count(Map<String, AtomicInteger> answers, String what, LocalApi.Reply r) {
        answers.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
        answers.computeIfAbsent(Integer.toString(r.status()), k -> new AtomicInteger())
                .incrementAndGet();
        answers.computeIfAbsent(what + ":" + r.status(), k -> new AtomicInteger())
                .incrementAndGet();
    }
}
