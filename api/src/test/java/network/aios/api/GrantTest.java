package network.aios.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class GrantTest {
    static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    final KeyPair key = generate();
    final KeyPair other = generate();

    static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    ObjectNode payload(String cluster, Instant iat, long seconds) {
        ObjectNode p = Json.object()
                .put("v", 1)
                .put("cluster", cluster)
                .put("by", "alice")
                .put("nonce", "0123456789abcdef0123")
                .put("iat", iat.getEpochSecond())
                .put("exp", iat.plusSeconds(seconds).getEpochSecond());
        p.putObject("args").put("command", "cordon").put("node", "node-1");
        return p;
    }

    @Test
    void aSignedGrantForThisClusterWithinItsValidityHolds() throws Exception {
        String g = Grant.sign(payload("c1", NOW, 60), key.getPrivate());
        var pub = Grant.publicKey(Grant.encodePublic(key.getPublic()));
        assertThat(Grant.verify(g, pub, "c1", NOW.plusSeconds(10))
                        .at("/args/node")
                        .asString())
                .isEqualTo("node-1");
    }

    @Test
    void everythingElseIsRejected() {
        String g = Grant.sign(payload("c1", NOW, 60), key.getPrivate());
        assertThatThrownBy(() -> Grant.verify(g, other.getPublic(), "c1", NOW)).hasMessageContaining("signature");
        assertThatThrownBy(() -> Grant.verify(g, key.getPublic(), "c2", NOW)).hasMessageContaining("another cluster");
        assertThatThrownBy(() -> Grant.verify(g, key.getPublic(), "c1", NOW.plusSeconds(60 + 31)))
                .hasMessageContaining("expired");
        String tampered = Grant.sign(payload("c1", NOW, 60), key.getPrivate()).replaceFirst("^.", "A");
        assertThatThrownBy(() -> Grant.verify(tampered, key.getPublic(), "c1", NOW))
                .isInstanceOf(Grant.Rejected.class);
        String tooLong = Grant.sign(payload("c1", NOW, 3600), key.getPrivate());
        assertThatThrownBy(() -> Grant.verify(tooLong, key.getPublic(), "c1", NOW))
                .hasMessageContaining("expired");
        assertThatThrownBy(() -> Grant.verify("garbage", key.getPublic(), "c1", NOW))
                .isInstanceOf(Grant.Rejected.class);
        assertThatThrownBy(() -> Grant.verify(null, key.getPublic(), "c1", NOW)).isInstanceOf(Grant.Rejected.class);
    }

    @Test
    void aGrantIsForOneRegistrationAndOneRunOfTheAgent() throws Exception {
        tools.jackson.databind.node.ObjectNode p = payload("c1", NOW, 60).put("inc", "r2");
        String g = Grant.sign(p, key.getPrivate());
        assertThat(Grant.verify(g, key.getPublic(), "c1", "r2", NOW.minusSeconds(5), NOW.plusSeconds(1)))
                .isNotNull();
        // the id deleted and registered again: the earlier registration's agent refuses the new owner's grant
        assertThatThrownBy(() -> Grant.verify(g, key.getPublic(), "c1", "r1", null, NOW))
                .hasMessageContaining("another registration");
        // the agent restarted after the grant was issued: it cannot know whether it was used
        assertThatThrownBy(() -> Grant.verify(g, key.getPublic(), "c1", "r2", NOW.plusSeconds(1), NOW.plusSeconds(2)))
                .hasMessageContaining("before this agent started");
        String old = Grant.sign(payload("c1", NOW, 60), key.getPrivate()); // no inc: an older control plane's
        assertThatThrownBy(() -> Grant.verify(old, key.getPublic(), "c1", "r2", null, NOW))
                .hasMessageContaining("another registration");
    }
}
