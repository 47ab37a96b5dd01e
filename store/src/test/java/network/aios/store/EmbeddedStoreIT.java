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

    @Test
    void aFirstStartNeverLetsAnyoneInWithoutThePassword() throws Exception {
        Path dir = Files.createTempDirectory("aios-embedded").resolve("postgres");
        java.util.concurrent.atomic.AtomicInteger tries = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<String> breach =
                new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        // a local process that connects the moment a postmaster is up on the directory, again and again
        Thread intruder = new Thread(() -> {
            while (!done.get()) {
                Path pid = dir.resolve("postmaster.pid");
                try {
                    java.util.List<String> lines = Files.exists(pid) ? Files.readAllLines(pid) : java.util.List.of();
                    if (lines.size() > 3 && !lines.get(3).isBlank()) {
                        tries.incrementAndGet();
                        try (var c = DriverManager.getConnection(
                                "jdbc:postgresql://localhost:" + lines.get(3).trim() + "/postgres?connectTimeout=1",
                                "postgres",
                                "guess")) {
                            breach.set("connected without the password on port "
                                    + lines.get(3).trim());
                        } catch (SQLException refused) {
                            // what must happen
                        }
                    }
                } catch (java.io.IOException racing) {
                    // postmaster.pid being written or removed
                }
                Thread.onSpinWait();
            }
        });
        intruder.start();
        try (Database db = Database.embedded(dir, 2)) {
            Integer one = db.jdbi()
                    .withHandle(
                            h -> h.createQuery("SELECT 1").mapTo(Integer.class).one());
            assertThat(one).isEqualTo(1);
            // the intruder had its chances while the server was up
            while (tries.get() < 5) {
                Thread.onSpinWait();
            }
        } finally {
            done.set(true);
            intruder.join();
        }
        assertThat(breach.get())
                .as("a connection without the password during the first start")
                .isNull();
    }

    static String setting(Database db, String name) {
        return db.jdbi()
                .withHandle(h -> h.createQuery("SELECT current_setting(:n)")
                        .bind("n", name)
                        .mapTo(String.class)
                        .one());
    }

    /**
     * A killed control plane's postmaster.pid names a pid the system has since given to another live process:
     * PostgreSQL would take it for a postmaster still running and refuse to start. The stale file goes (and the
     * process that has the pid now is left alone).
     */
    @Test
    void aStalePidFileWhosePidWasRecycledDoesNotKeepItDown() throws Exception {
        Path dir = Files.createTempDirectory("aios-embedded").resolve("postgres");
        try (Database db = Database.embedded(dir, 2)) {
            assertThat(db.isEmbedded()).isTrue();
        }
        long someoneElse = ProcessHandle.current().pid(); // alive, not PostgreSQL
        Files.writeString(
                dir.resolve("postmaster.pid"),
                someoneElse + "\n" + dir.toAbsolutePath()
                        + "\n1700000000\n5432\n\nlocalhost\n  1234  5678\nready   \n");
        try (Database again = Database.embedded(dir, 2)) {
            Integer one = again.jdbi()
                    .withHandle(
                            h -> h.createQuery("SELECT 1").mapTo(Integer.class).one());
            assertThat(one).isEqualTo(1);
        }
        assertThat(ProcessHandle.current().isAlive()).isTrue();
    }
}
