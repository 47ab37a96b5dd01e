package network.aios.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.time.Instant;
import network.aios.api.Json;
import network.aios.server.TestCerts;
import network.aios.server.TestServer;
import network.aios.store.ClusterStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** An agent reports to a control plane that serves TLS, trusting the certificate the cluster was given. */
class AgentTlsIT {
    static TestCerts certs;
    static TestServer server;

    @BeforeAll
    static void start() {
        certs = TestCerts.selfSigned();
        server = TestServer.configured(c -> c.withTls(certs.cert, certs.key));
        assertThat(server.post("/api/createCluster", new String(TestServer.example("cluster.json")), server.adminToken)
                        .status())
                .isEqualTo(201);
        new ClusterStore(server.db)
                .setInfra("cluster-west-vision-001", network.aios.store.InfraPhase.READY, null, "test", Instant.now());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void heartbeatsGoOverTlsOnlyToTheCertificateTheAgentTrusts() throws Exception {
        String token =
                server.cp.tokens().issueAgent("cluster-west-vision-001", "test").token();
        String beat = "{\"inventory\": {\"nodes\": []}}";
        ControlPlaneClient trusting = new ControlPlaneClient(server.url(), () -> token, Files.readString(certs.cert));
        assertThat(trusting.post("/api/v1/clusters/cluster-west-vision-001/heartbeat", Json.parse(beat))
                        .status())
                .isEqualTo(200);
        ControlPlaneClient defaults = new ControlPlaneClient(server.url(), () -> token, null);
        assertThatThrownBy(() -> defaults.post("/api/v1/clusters/cluster-west-vision-001/heartbeat", Json.parse(beat)))
                .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
    }
}
