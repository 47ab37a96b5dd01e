package network.aios.cli;

import static org.assertj.core.api.Assertions.assertThat;

import network.aios.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Node commands (`aios cluster cordon|drain|...`): the CLI asks the control plane for a signed grant and carries
 * only the grant to the cluster's mgmt agent, which must prove it is that cluster's with the network's agent CA.
 */
class CliNodeCommandsIT {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static CliIT.Run aios(String... args) {
        return CliIT.run(server, server.adminToken, args);
    }

    @Test
    void cordonAsksTheControlPlaneForAGrantAndCarriesOnlyTheGrantToTheAgent() throws Exception {
        assertThat(server.post("/api/createCluster", TestServer.seedWithId("granted-1"), server.adminToken)
                        .status())
                .isEqualTo(201);
        java.util.concurrent.atomic.AtomicReference<String> seen = new java.util.concurrent.atomic.AtomicReference<>();
        com.sun.net.httpserver.HttpServer agent =
                com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        agent.createContext("/commands", ex -> {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            seen.set(auth);
            String answer;
            try {
                var p = network.aios.api.Grant.verify(
                        auth.substring("Grant ".length()),
                        network.aios.api.Grant.publicKey(server.cp.grantPublicKey()),
                        "granted-1",
                        java.time.Instant.now());
                answer = "{\"command\": \"" + p.at("/args/command").asString() + "\", \"node\": \""
                        + p.at("/args/node").asString() + "\", \"by\": \""
                        + p.path("by").asString() + "\"}";
            } catch (network.aios.api.Grant.Rejected e) {
                answer = "{\"error\": {\"status\": 401, \"code\": \"grant_rejected\", \"message\": \"x\"}}";
            }
            byte[] b = answer.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ex.sendResponseHeaders(answer.contains("error") ? 401 : 200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        agent.start();
        try {
            CliIT.Run r = aios(
                    "cluster",
                    "cordon",
                    "granted-1",
                    "node-1",
                    "--agent-url",
                    "http://127.0.0.1:" + agent.getAddress().getPort());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).contains("\"command\" : \"cordon\"", "\"node\" : \"node-1\"", "\"by\" : \"admin\"");
            assertThat(seen.get()).startsWith("Grant ").doesNotContain(server.adminToken);
            assertThat(r.err()).contains("plain HTTP", "identity is not checked");
            CliIT.Run none = aios("cluster", "drain", "granted-1", "node-1"); // no infrastructure: no agent to carry it
            assertThat(none.exit()).isNotZero();
            assertThat(none.err()).contains("aios cluster infra create granted-1");
        } finally {
            agent.stop(0);
        }
    }

    @Test
    void anHttpsAgentMustProveItIsTheClustersWithTheNetworksAgentCa() throws Exception {
        assertThat(server.post("/api/createCluster", TestServer.seedWithId("granted-2"), server.adminToken)
                        .status())
                .isEqualTo(201);
        // the member cluster's admin stands up an agent with a certificate naming the cluster, from a CA of their own
        network.aios.tls.AgentCa forged = network.aios.tls.AgentCa.create("forged", java.time.Instant.now());
        String identity = server.post(
                        "/api/v1/clusters/granted-2/commands",
                        "{\"command\": \"uncordon\", " + "\"node\": \"node-1\"}",
                        server.adminToken)
                .text("/agentIdentity");
        network.aios.tls.AgentCa.Issued cert = forged.issue(identity, java.time.Instant.now());
        java.util.concurrent.atomic.AtomicBoolean reached = new java.util.concurrent.atomic.AtomicBoolean();
        com.sun.net.httpserver.HttpsServer agent =
                com.sun.net.httpserver.HttpsServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
        kmf.init(
                network.aios.api.Pem.keyStore(cert.certificatePem(), cert.keyPem(), "x".toCharArray()),
                "x".toCharArray());
        javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        agent.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(ssl));
        agent.createContext("/commands", ex -> {
            reached.set(true);
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        agent.start();
        try {
            CliIT.Run r = aios(
                    "cluster",
                    "cordon",
                    "granted-2",
                    "node-1",
                    "--agent-url",
                    "https://127.0.0.1:" + agent.getAddress().getPort());
            assertThat(r.exit()).isEqualTo(3);
            assertThat(r.err()).contains("is not granted-2's mgmt agent");
            assertThat(reached).as("the grant never left the CLI").isFalse();
        } finally {
            agent.stop(0);
        }
    }
}
