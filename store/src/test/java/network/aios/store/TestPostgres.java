package network.aios.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL per test JVM, and a fresh database per caller, so tests never see each
 * other's rows. Set AIOS_IT_JDBC_URL (with user and password in the URL) to use an external server.
 */
public final class TestPostgres {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static EmbeddedPostgres server;

    private TestPostgres() {}

    private static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                server = EmbeddedPostgres.builder()
                        .setServerConfig("max_connections", "300")
                        .setServerConfig("unix_socket_directories", "") // TCP only: nothing left in /tmp
                        .start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        server.close();
                    } catch (IOException ignored) {
                        // the JVM is going away; the temp folder goes with the OS's cleanup
                    }
                }));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return server;
    }

    /** A migrated, empty database of its own. */
    public static Database freshDatabase(int poolSize) {
        String name = "t" + ProcessHandle.current().pid() + "_" + SEQ.incrementAndGet();
        EmbeddedPostgres pg = server();
        try (Connection c = pg.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return Database.external("jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/" + name, "postgres", "", poolSize);
    }
}
