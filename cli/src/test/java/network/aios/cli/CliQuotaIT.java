package network.aios.cli;

import static org.assertj.core.api.Assertions.assertThat;

import network.aios.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code aios quota}: the admin sets an owner's quotas and the default; the owner reads its own. */
class CliQuotaIT {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void theAdminSetsAndResetsAnOwnersQuotaAndTheOwnerSeesItsOwn() {
        String alice = server.ownerToken("cq-alice");
        CliIT.Run set = CliIT.run(server, server.adminToken, "quota", "set", "cq-alice", "--clusters", "3");
        assertThat(set.exit()).as(set.err()).isZero();
        assertThat(set.out()).isEqualTo("quota of cq-alice set\n");
        // what the admin leaves out stays as it was
        assertThat(CliIT.run(server, server.adminToken, "quota", "set", "cq-alice", "--jobs", "2")
                        .exit())
                .isZero();
        assertThat(server.post("/api/createCluster", TestServer.seedWithId("cq-1"), alice)
                        .status())
                .isEqualTo(201);

        CliIT.Run mine = CliIT.run(server, alice, "quota", "get");
        assertThat(mine.exit()).as(mine.err()).isZero();
        assertThat(mine.out()).contains("clusters: 1 of 3\n", "jobs: 0 of 2\n", "addons: 0 of 50 (the default)\n");

        CliIT.Run list = CliIT.run(server, server.adminToken, "quota", "list");
        assertThat(list.out())
                .contains("(default)", "cq-alice")
                .containsPattern("cq-alice\\s+1/3\\s+0/50\\s+0/2\\s+60");

        CliIT.Run other = CliIT.run(server, server.ownerToken("cq-bob"), "quota", "get", "cq-alice");
        assertThat(other.exit()).isNotZero();
        assertThat(other.err()).contains("403");

        assertThat(CliIT.run(server, server.adminToken, "quota", "set", "--default", "--addons", "7")
                        .exit())
                .isZero();
        assertThat(CliIT.run(server, server.adminToken, "quota", "reset", "cq-alice")
                        .exit())
                .isZero();
        assertThat(CliIT.run(server, alice, "quota", "get").out())
                .contains("clusters: 1 of 100 (the default)", "addons: 0 of 7 (the default)");
        CliIT.Run neither = CliIT.run(server, server.adminToken, "quota", "set", "--clusters", "1");
        assertThat(neither.exit()).isEqualTo(2);
        assertThat(neither.err()).contains("name an owner, or give --default");
    }
}
