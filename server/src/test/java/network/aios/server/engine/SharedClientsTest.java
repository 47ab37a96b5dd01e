package network.aios.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import network.aios.member.ClusterOps;
import org.junit.jupiter.api.Test;

/** The control plane's own clients to member clusters: one per credential, kept while used, closed when idle. */
class SharedClientsTest {
    final AtomicLong now = new AtomicLong();
    final List<FakeClusterOps> opened = new ArrayList<>();
    final List<FakeClusterOps> closed = new ArrayList<>();
    final SharedClients clients = new SharedClients(
            config -> {
                FakeClusterOps ops = new FakeClusterOps() {
                    @Override
                    public void close() {
                        closed.add(this);
                    }
                };
                opened.add(ops);
                return ops;
            },
            now::get);

    static Config credential(String token) {
        return new ConfigBuilder()
                .withMasterUrl("https://10.0.0.1:6443")
                .withOauthToken(token)
                .build();
    }

    @Test
    void oneClientPerCredentialAndClosingAUseGivesItBack() {
        try (ClusterOps a = clients.borrow(credential("token-1"));
                ClusterOps b = clients.borrow(credential("token-1"))) {
            a.version();
            b.version();
        }
        try (ClusterOps c = clients.borrow(credential("token-2"))) {
            c.version();
        }
        assertThat(opened).hasSize(2);
        assertThat(closed)
                .as("a use's close() does not close the shared client")
                .isEmpty();
        try (ClusterOps again = clients.borrow(credential("token-1"))) {
            assertThat(opened).hasSize(2);
        }
    }

    @Test
    void anIdleClientIsClosedButNotOneInUse() {
        ClusterOps inUse = clients.borrow(credential("busy"));
        clients.borrow(credential("idle")).close();
        now.addAndGet(SharedClients.IDLE.toNanos() + 1);
        clients.sweep();
        assertThat(closed).hasSize(1);
        assertThat(clients.size()).isEqualTo(1);
        inUse.close();
        now.addAndGet(SharedClients.IDLE.toNanos() + 1);
        clients.sweep();
        assertThat(closed).hasSize(2);
        assertThat(clients.size()).isZero();
        clients.borrow(credential("idle")).close();
        assertThat(opened)
                .as("a new use after the idle close opens a new client")
                .hasSize(3);
    }
}
