package network.aios.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** The embedded default is as durable and as private as an external PostgreSQL. */
class EmbeddedStoreIT {
    @Test
    void durableSettingsPasswordOnlyAndLoopbackOnly() throws Exception {
        Path dir = Files.createTempDirectory("aios-embedded").resolve("postgres");
        try (Database db = Database.embedded(dir, 2)) {
            assertThat(setting(db, "fsync")).isEqualTo("on");
            assertThat(setting(db, "synchronous_commit")).isEqualTo("on");
            assertThat(setting(db, "full_page_writes")).isEqualTo("on");
            assertThat(setting(db, "listen_addresses")).isEqualTo("localhost");
            Path pw = EmbeddedStore.passwordFile(dir);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pw)))
                    .isEqualTo("rw-------");
            String url = ((com.zaxxer.hikari.HikariDataSource) db.dataSource()).getJdbcUrl();
            assertThatThrownBy(() -> DriverManager.getConnection(url, "postgres", ""))
                    .isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> DriverManager.getConnection(url, "postgres", "wrong"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("password authentication failed");
            try (var c = DriverManager.getConnection(
                    url, "postgres", Files.readString(pw).trim())) {
                assertThat(c.isValid(2)).isTrue();
            }
            // a second control plane on the same directory is told so, and leaves this one alone
            assertThatThrownBy(() -> Database.embedded(dir, 2))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("another control plane is running")
                    .hasMessageContaining("--data-dir");
            Integer one = db.jdbi()
                    .withHandle(
                            h -> h.createQuery("SELECT 1").mapTo(Integer.class).one());
            assertThat(one).isEqualTo(1);
        }
        // the same password opens it again after a restart
        try (Database again = Database.embedded(dir, 2)) {
            assertThat(setting(again, "fsync")).isEqualTo("on");
        }
    }

    static String setting(Database db, String name) {
        return db.jdbi()
                .withHandle(h -> h.createQuery("SELECT current_setting(:n)")
                        .bind("n", name)
                        .mapTo(String.class)
                        .one());
    }
}
