package network.aios.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A local pull agent's credential: DIR/credential, its owner's only, replaced whole. */
class PullCredentialFileTest {
    @Test
    void theCredentialIsKeptForItsOwnerOnlyAndReplacedWhole(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("state");
        PullCredentialFile store = new PullCredentialFile(dir);
        assertThat(store.load()).isEmpty();

        var first = store.save("aios_0123456789abcdef_first");
        assertThat(Files.readString(dir.resolve("credential"))).isEqualTo("aios_0123456789abcdef_first");
        assertThat(Files.getPosixFilePermissions(dir.resolve("credential")))
                .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        assertThat(Files.getPosixFilePermissions(dir))
                .as("the directory it creates is its owner's only too")
                .doesNotContain(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);
        assertThat(store.load()).contains(first);

        store.save("aios_0123456789abcdef_second");
        assertThat(store.load().orElseThrow().secret()).isEqualTo("aios_0123456789abcdef_second");
        assertThat(Files.getPosixFilePermissions(dir.resolve("credential")))
                .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("credential"); // no temporary left
        }
        assertThat(first.toString()).doesNotContain("first");
    }
}
