package network.aios.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's PostgreSQL: embedded (data kept in a folder across restarts) by default, or an
 * external server by JDBC URL. Migrations run on open.
 */
public final class Database implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    private final EmbeddedPostgres embedded;
    private final Path embeddedDir;
    private final HikariDataSource dataSource;
    private final Jdbi jdbi;

    private Database(EmbeddedPostgres embedded, Path embeddedDir, HikariDataSource dataSource) {
        this.embedded = embedded;
        this.embeddedDir = embeddedDir;
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
    }

    /**
     * Whether the embedded PostgreSQL's server process is still running (always true for an external one,
     * which is not this process's to watch).
     */
    public boolean embeddedRunning() {
        if (embedded == null) {
            return true;
        }
        try {
            return EmbeddedStore.postmaster(embeddedDir).isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    /** The embedded PostgreSQL's port on loopback, or 0 for an external database. */
    public int embeddedPort() {
        return embedded == null ? 0 : embedded.getPort();
    }

    /** Whether the database answers a query now (within the pool's connection timeout). */
    public boolean answers() {
        try {
            return jdbi.withHandle(
                            h -> h.createQuery("SELECT 1").mapTo(Integer.class).one())
                    == 1;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Starts PostgreSQL in {@code dataDir} (created on first use, reused afterwards) and migrates it. Run
     * as durably as an external server: {@code fsync}, {@code synchronous_commit} and full-page writes on
     * (the embedding library turns them off for tests), listening on loopback only, and reachable only
     * with a password ({@code scram-sha-256}) generated on first start and kept beside the data directory
     * ({@code <dataDir>.password}, 0600). A PostgreSQL left running on this directory by a control plane
     * that was killed is stopped first; one that belongs to a running control plane is an error saying so.
     */
    public static Database embedded(Path dataDir, int poolSize) {
        try {
            Files.createDirectories(dataDir);
            EmbeddedStore.stopOrphan(dataDir);
            String password = EmbeddedStore.password(dataDir);
            EmbeddedPostgres pg = EmbeddedStore.start(dataDir, password);
            LOG.info("embedded PostgreSQL started on 127.0.0.1:{} with data in {}", pg.getPort(), dataDir);
            String url = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
            try {
                return new Database(pg, dataDir, migrated(pool(url, "postgres", password, poolSize)));
            } catch (RuntimeException e) {
                pg.close(); // don't leave a server running behind a failed start
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "could not start the embedded PostgreSQL in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    /** Connects to an external PostgreSQL (for HA) and migrates it. */
    public static Database external(String jdbcUrl, String user, String password, int poolSize) {
        LOG.info("using external PostgreSQL at {}", jdbcUrl.replaceAll("password=[^&]*", "password=***"));
        return new Database(null, null, migrated(pool(jdbcUrl, user, password, poolSize)));
    }

    private static HikariDataSource pool(String url, String user, String password, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        if (user != null) {
            config.setUsername(user);
        }
        if (password != null) {
            config.setPassword(password);
        }
        config.setMaximumPoolSize(size);
        config.setPoolName("aios");
        // with the database away, a request waits this long for a connection, then is answered 503
        config.setConnectionTimeout(5_000);
        return new HikariDataSource(config);
    }

    private static HikariDataSource migrated(HikariDataSource ds) {
        try {
            Flyway.configure()
                    .dataSource(ds)
                    .locations("classpath:db/migration")
                    .load()
                    .migrate();
            return ds;
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    public javax.sql.DataSource dataSource() {
        return dataSource;
    }

    /**
     * Whether this is the embedded PostgreSQL: its data directory belongs to one running control plane at a
     * time, so that control plane is the database's only user.
     */
    public boolean isEmbedded() {
        return embedded != null;
    }

    @Override
    public void close() {
        dataSource.close();
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                LOG.warn("embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
            }
        }
    }
}
