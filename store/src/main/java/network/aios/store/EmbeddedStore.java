package network.aios.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL as a product, not a test fixture: durable settings, password authentication on
 * loopback, and recovery from a control plane that was killed while its PostgreSQL (a daemon in its own
 * session) kept running.
 */
final class EmbeddedStore {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStore.class);
    /** The embedding library's lock, held by the JVM that runs the server on a directory. */
    static final String LOCK_FILE = "epg-lock";

    private EmbeddedStore() {}

    /** Where the generated password is kept: beside the data directory, never inside a backup of it. */
    static Path passwordFile(Path dataDir) {
        return dataDir.resolveSibling(dataDir.getFileName() + ".password");
    }

    /**
     * The database password, created on first use. A fresh directory never runs without it: the password is
     * written (0600) before initdb, which sets it from that file ({@link #start}), and the first start already
     * requires it (scram). A directory initialised before passwords (trust), or whose password file was lost,
     * is started once with trust on loopback to set a new one: that upgrade path has a window, a fresh start
     * has none.
     */
    static String password(Path dataDir) throws IOException {
        Path file = passwordFile(dataDir);
        boolean initialised = Files.exists(dataDir.resolve("postgresql.conf"));
        if (Files.exists(file) && initialised) {
            return Files.readString(file).trim();
        }
        String password = generate();
        if (!initialised) {
            Files.deleteIfExists(file); // a leftover of a start that died before initdb: not to be trusted
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, password + "\n");
            return password;
        }
        EmbeddedPostgres first = builder(dataDir, "trust").start();
        try (Connection c = first.getPostgresDatabase().getConnection();
                Statement st = c.createStatement()) {
            st.execute("SET password_encryption = 'scram-sha-256'");
            st.execute("ALTER ROLE postgres PASSWORD '" + password + "'"); // [A-Za-z0-9] only: no quoting needed
        } catch (java.sql.SQLException e) {
            throw new IOException("could not set the database password", e);
        } finally {
            first.close();
        }
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, password + "\n");
        LOG.info("embedded PostgreSQL now requires a password (kept in {})", file);
        return password;
    }

    static EmbeddedPostgres start(Path dataDir, String password) throws IOException {
        return builder(dataDir, "scram-sha-256")
                // initdb (a fresh directory only) sets the superuser's password from the file: no trust window
                .setLocaleConfig("pwfile", passwordFile(dataDir).toString())
                .setConnectConfig("password", password)
                .start();
    }

    private static EmbeddedPostgres.Builder builder(Path dataDir, String auth) {
        return EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                .setPGStartupWait(Duration.ofMinutes(
                        5)) // crash recovery replays the WAL since the last checkpoint: minutes on a busy disk
                // the library starts the server with -F (fsync off) and synchronous_commit=off; later settings win
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on")
                .setServerConfig("listen_addresses", "localhost")
                // TCP on loopback only: no Unix socket (pg_hba has no local line anyway), none left in /tmp
                .setServerConfig("unix_socket_directories", "")
                .setServerConfig("max_connections", "200")
                .setDataDirectoryCustomizer(dir -> writeHba(dir.toPath(), auth));
    }

    /** Loopback TCP only, with {@code auth}; no Unix-socket or remote entries. Rewritten on every start. */
    private static void writeHba(Path dir, String auth) {
        try {
            Files.writeString(
                    dir.resolve("pg_hba.conf"),
                    "# written by the AIOS control plane on every start\n"
                            + "host all all 127.0.0.1/32 " + auth + "\n"
                            + "host all all ::1/128 " + auth + "\n");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write pg_hba.conf in " + dir, e);
        }
    }

    /**
     * A control plane killed with SIGKILL (the OOM killer) leaves its PostgreSQL running, and the next
     * start would fail on it. If no live process holds the directory's lock, a postmaster still running on
     * it is an orphan: stop it (fast shutdown; crash recovery replays the WAL on the next start). If a
     * live process holds the lock, another control plane runs here: say so instead of touching it.
     */
    static void stopOrphan(Path dataDir) throws IOException {
        Path lock = dataDir.resolve(LOCK_FILE);
        if (!Files.exists(lock)) {
            return;
        }
        Optional<ProcessHandle> postmaster = postmaster(dataDir);
        try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.WRITE);
                FileLock held = ch.tryLock()) {
            if (held == null) {
                throw new IllegalStateException(running(dataDir, postmaster));
            }
        } catch (OverlappingFileLockException e) {
            throw new IllegalStateException(running(dataDir, postmaster));
        }
        if (postmaster.isEmpty()) {
            // no postmaster of ours lives: a pid file whose pid is dead or now some other program's (pids are
            // recycled) is stale, and PostgreSQL would refuse to start on it. One a PostgreSQL holds stays.
            Path pidFile = dataDir.resolve("postmaster.pid");
            if (Files.exists(pidFile) && pidFileIsStale(dataDir)) {
                Files.delete(pidFile);
                LOG.warn("removed a stale postmaster.pid from {} (its PostgreSQL is gone)", dataDir);
            }
            return;
        }
        ProcessHandle pm = postmaster.get();
        LOG.warn(
                "a PostgreSQL (pid {}) is still running on {} after the control plane that started it died; "
                        + "stopping it",
                pm.pid(),
                dataDir);
        pm.destroy(); // SIGTERM: its clients are gone with the dead JVM
        try {
            pm.onExit().get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            LOG.warn(
                    "PostgreSQL pid {} did not stop within 60 s; killing it (the next start recovers from the WAL)",
                    pm.pid());
            pm.destroyForcibly();
            try {
                pm.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception again) {
                throw new IOException("could not stop the orphaned PostgreSQL (pid " + pm.pid() + ")", again);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping an orphaned PostgreSQL", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("could not stop the orphaned PostgreSQL (pid " + pm.pid() + ")", e);
        }
    }

    private static String running(Path dataDir, Optional<ProcessHandle> postmaster) {
        return "another control plane is running on the data directory " + dataDir.getParent()
                + postmaster
                        .map(p -> " (its PostgreSQL is pid " + p.pid() + ")")
                        .orElse("")
                + ": stop it first, or start this one with another --data-dir";
    }

    /** The postmaster recorded in postmaster.pid, if that process is alive and is PostgreSQL on this directory. */
    static Optional<ProcessHandle> postmaster(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        if (lines.size() < 2) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(lines.get(0).trim());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        Path dir = canonical(dataDir);
        boolean sameDir = canonical(Path.of(lines.get(1).trim())).equals(dir);
        // a recycled pid is some other program, or another PostgreSQL: only a postgres on this directory counts
        // (its -D, however it was spelled: ./ or a symlink; arguments unknown: the pid file's directory decides)
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(p -> sameDir
                        && p.info().command().map(c -> c.contains("postgres")).orElse(false)
                        && p.info()
                                .arguments()
                                .map(a -> java.util.Arrays.stream(a).anyMatch(arg -> names(arg, dir)))
                                .orElse(true));
    }

    /** Whether the pid file names a pid that no PostgreSQL holds now (dead, or recycled by another program). */
    static boolean pidFileIsStale(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        long pid;
        try {
            pid = Long.parseLong(lines.isEmpty() ? "" : lines.get(0).trim());
        } catch (NumberFormatException e) {
            return false; // not ours to judge: PostgreSQL reports it
        }
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .map(p -> !p.info().command().map(c -> c.contains("postgres")).orElse(true))
                .orElse(true);
    }

    private static boolean names(String arg, Path dir) {
        try {
            return canonical(Path.of(arg)).equals(dir);
        } catch (java.nio.file.InvalidPathException e) {
            return false;
        }
    }

    private static Path canonical(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    private static String generate() {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        SecureRandom r = new SecureRandom();
        StringBuilder sb = new StringBuilder(32);
        for (int i = 0; i < 32; i++) {
            sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
