package network.aios.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import network.aios.server.TestClock;
import org.junit.jupiter.api.Test;

class WriteLimitsTest {
    final TestClock clock = new TestClock(Instant.parse("2026-12-03T12:00:00Z"));
    final WriteLimits limits = new WriteLimits(
            clock,
            WriteLimits.Rate.parse("2/s,burst=3"),
            WriteLimits.Rate.parse("60/min,burst=1"),
            new AgentOwners(cluster -> cluster.startsWith("m-") ? "mallory" : null));

    static final Principal ALICE = new Principal("alice", Principal.Role.OWNER, null);
    static final Principal BOB = new Principal("bob", Principal.Role.OWNER, null);

    @Test
    void anOwnerGetsItsBurstThenWaitsForTheRateAndOthersAreNotTouched() {
        for (int i = 0; i < 3; i++) {
            assertThat(limits.take(ALICE)).isZero();
        }
        assertThat(limits.take(ALICE)).isEqualTo(Duration.ofMillis(500));
        assertThat(limits.take(BOB)).as("each owner its own bucket").isZero();
        clock.advance(Duration.ofMillis(500));
        assertThat(limits.take(ALICE)).isZero();
        assertThat(limits.take(ALICE)).isPositive();
        clock.advance(Duration.ofMinutes(10));
        for (int i = 0; i < 3; i++) {
            assertThat(limits.take(ALICE))
                    .as("refilled to the burst, not past it")
                    .isZero();
        }
        assertThat(limits.take(ALICE)).isPositive();
    }

    @Test
    void agentsArePacedPerClusterAndTheAdminNever() {
        Principal agentA = new Principal("agent-a", Principal.Role.AGENT, "c1");
        Principal otherRoleOfA = new Principal("agent-a2", Principal.Role.AGENT, "c1");
        assertThat(limits.take(agentA)).isZero();
        assertThat(limits.take(otherRoleOfA))
                .as("one cluster's agents share one bucket")
                .isEqualTo(Duration.ofSeconds(1));
        assertThat(limits.take(new Principal("agent-b", Principal.Role.AGENT, "c2")))
                .isZero();
        Principal admin = new Principal("admin", Principal.Role.ADMIN, null);
        for (int i = 0; i < 1000; i++) {
            assertThat(limits.take(admin)).isZero();
        }
    }

    @Test
    void theAgentsOfOneOwnersClustersTogetherGetTenClustersWorth() {
        // mallory holds the agent tokens of 30 clusters: the first 10 writes (the owner-wide burst) pass
        int passed = 0;
        for (int i = 0; i < 30; i++) {
            if (limits.take(new Principal("agent.m-" + i + ".x", Principal.Role.AGENT, "m-" + i))
                    .isZero()) {
                passed++;
            }
        }
        assertThat(passed).isEqualTo(WriteLimits.AGENTS_PER_OWNER);
        assertThat(limits.take(new Principal("agent.other.x", Principal.Role.AGENT, "other")))
                .as("another owner's agents are not touched")
                .isZero();
        clock.advance(Duration.ofSeconds(1));
        assertThat(limits.take(new Principal("agent.m-0.x", Principal.Role.AGENT, "m-0")))
                .as("refilled at ten clusters' rate")
                .isZero();
    }

    @Test
    void ratesAreWrittenAsOperatorsWriteThem() {
        assertThat(WriteLimits.Rate.parse("20/s,burst=100")).isEqualTo(new WriteLimits.Rate(20, 100));
        assertThat(WriteLimits.Rate.parse("600/min")).isEqualTo(new WriteLimits.Rate(10, 50));
        assertThatThrownBy(() -> WriteLimits.Rate.parse("fast")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WriteLimits.Rate.parse("0/s")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WriteLimits.Rate.parse("5/s,burst=0")).isInstanceOf(IllegalArgumentException.class);
    }
}
