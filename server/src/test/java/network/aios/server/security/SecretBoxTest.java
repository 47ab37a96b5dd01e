package network.aios.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import network.aios.store.Sealed;
import org.junit.jupiter.api.Test;

class SecretBoxTest {
    private static byte[] key(int b) {
        byte[] k = new byte[32];
        java.util.Arrays.fill(k, (byte) b);
        return k;
    }

    @Test
    void sealsAndOpensWithoutPlaintextAtRest() {
        SecretBox box = new SecretBox(key(1), Map.of());
        byte[] secret = "token-abc-123".getBytes(StandardCharsets.UTF_8);
        Sealed s = box.seal(secret, "cluster-a");
        assertThat(new String(s.bytes(), StandardCharsets.ISO_8859_1)).doesNotContain("token-abc-123");
        assertThat(box.open(s, "cluster-a")).isEqualTo(secret);
        assertThat(box.seal(secret, "cluster-a").bytes()).isNotEqualTo(s.bytes());
    }

    @Test
    void aSecretSealedForOneClusterCannotBeOpenedAsAnother() {
        SecretBox box = new SecretBox(key(1), Map.of());
        Sealed s = box.seal(new byte[] {1, 2, 3}, "cluster-a");
        assertThatThrownBy(() -> box.open(s, "cluster-b")).hasMessageContaining("could not be opened");
    }

    @Test
    void rotatedKeysStillOpenWhatTheySealed() {
        Sealed old = new SecretBox(key(1), Map.of()).seal(new byte[] {9}, "c");
        SecretBox rotated = new SecretBox(key(2), Map.of("old", key(1)));
        assertThat(rotated.open(old, "c")).containsExactly(9);
        assertThat(rotated.seal(new byte[] {9}, "c").keyId()).isNotEqualTo(old.keyId());
        assertThatThrownBy(() -> new SecretBox(key(3), Map.of()).open(old, "c")).hasMessageContaining(old.keyId());
    }

    @Test
    void keyFileIsCreatedOwnerOnlyAndReused() throws Exception {
        Path dir = Files.createTempDirectory("box");
        Sealed s = SecretBox.fromEnvOrDataDir(null, dir).seal(new byte[] {7}, "c");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(dir.resolve("secret.key"))))
                .isEqualTo("rw-------");
        assertThat(SecretBox.fromEnvOrDataDir(null, dir).open(s, "c")).containsExactly(7);
    }
}
