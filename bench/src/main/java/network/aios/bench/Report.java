package network.aios.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import network.aios.store.Database;
import network.aios.store.TestPostgres;

/**
 * What a benchmark prints, kept: everything written to {@code System.out} goes to the console and to
 * {@code bench/results/<Bench>-<UTC time>.txt}, headed by the commit (and whether the working tree differs from
 * it), the machine (cores, memory, load, Java) and, for each database the benchmark opens, the durability
 * settings read from that database itself ({@code SHOW fsync}, {@code synchronous_commit},
 * {@code full_page_writes}), and what the database did during the run. The server's log is not kept (it can
 * run to megabytes): its lines that reach the report are counted, WARN and ERROR lines by kind with the first of
 * each, and those saying {@code deadlock detected}.
 *
 * <p>Databases are durable by default: the product's embedded PostgreSQL, as {@code aios server} runs it, in a
 * scratch folder under {@code target/bench-tmp} (removed at the end). {@code -Ddurable=false} opts out to the
 * test fixture's PostgreSQL (fsync and synchronous commit off), and the output says so.
 */
final class Report implements AutoCloseable {
    private static final DateTimeFormatter FILE_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final int KEPT_LOG_LINES = 12;

    private final String name;
    private final Path file;
    private final PrintStream console;
    private final PrintStream consoleErr;
    private final OutputStream fileOut;
    private final LogScan scan = new LogScan();
    private final List<Path> scratch = new ArrayList<>();
    private final Map<Database, long[]> baselines = new LinkedHashMap<>();
    private final Map<Database, Map<String, long[]>> tableBaselines = new LinkedHashMap<>();
    private final long started = System.nanoTime();

    private Report(String name, Path file) throws IOException {
        this.name = name;
        this.file = file;
        this.console = System.out;
        this.consoleErr = System.err;
        this.fileOut = Files.newOutputStream(file);
        System.setOut(new PrintStream(new Tee(console, fileOut, scan), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(consoleErr, null, scan), true, StandardCharsets.UTF_8));
    }

    /** A benchmark's body, given the report it prints into. */
    interface Body {
        void run(Report report) throws Exception;
    }

    /**
     * Runs {@code body} with a report open; a failure is printed into the kept output too. The exit code for
     * {@code System.exit} (benchmarks leave threads behind): 0, or 1 when the body threw.
     */
    static int run(Class<?> bench, Body body) {
        try (Report report = start(bench)) {
            try {
                body.run(report);
                return 0;
            } catch (Exception | Error e) {
                System.out.println("FAILED: " + e);
                e.printStackTrace(report.consoleErr);
                return 1;
            }
        }
    }

    /** Starts keeping what {@code bench} prints; prints the header (commit, machine). */
    static Report start(Class<?> bench) {
        String name = bench.getSimpleName();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        try {
            Path dir = resultsDir();
            Files.createDirectories(dir);
            Report r = new Report(name, dir.resolve(name + "-" + FILE_TIME.format(now) + ".txt"));
            System.out.printf("== %s, %s%n", name, now);
            System.out.println("commit: " + commit());
            System.out.println("product jars: " + jars());
            System.out.println("machine: " + machine());
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An integer option ({@code -Dname=value}), printed as the benchmark read it. */
    int option(String key, int fallback) {
        int v = Integer.getInteger(key, fallback);
        System.out.printf("option: -D%s=%d%n", key, v);
        return v;
    }

    /** A text option ({@code -Dname=value}), printed as the benchmark read it. */
    String option(String key, String fallback) {
        String v = System.getProperty(key, fallback);
        System.out.printf("option: -D%s=%s%n", key, v);
        return v;
    }

    /** Whether databases are durable (the default) or the test fixture's ({@code -Ddurable=false}). */
    boolean durable() {
        return !"false".equalsIgnoreCase(System.getProperty("durable", "true").trim());
    }

    /**
     * A migrated, empty database: the product's embedded PostgreSQL (durable) unless {@code -Ddurable=false};
     * its settings are printed as the database reports them.
     */
    Database database(int poolSize) {
        boolean durable = durable();
        System.out.printf("option: -Ddurable=%s%n", durable);
        Database db = durable
                ? Database.embedded(scratch("pg").resolve("postgres"), poolSize)
                : TestPostgres.freshDatabase(poolSize);
        describe(db, durable);
        return db;
    }

    /** A folder of its own under {@code target/bench-tmp}, removed when the report closes. */
    Path scratch(String prefix) {
        try {
            Path base = moduleDir().resolve("target").resolve("bench-tmp");
            Files.createDirectories(base);
            Path dir = Files.createTempDirectory(base, prefix);
            scratch.add(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void describe(Database db, boolean durable) {
        System.out.println("database: "
                + (durable
                        ? "the product's embedded PostgreSQL, as `aios server` runs it (-Ddurable=false: the test"
                                + " fixture's)"
                        : "the test fixture's PostgreSQL (-Ddurable=false): NOT the product's settings"));
        db.jdbi().useHandle(h -> {
            StringBuilder s = new StringBuilder("database settings (SHOW):");
            for (String setting : List.of("fsync", "synchronous_commit", "full_page_writes", "wal_sync_method")) {
                s.append(' ')
                        .append(setting)
                        .append('=')
                        .append(h.createQuery("SHOW " + setting)
                                .mapTo(String.class)
                                .one());
            }
            System.out.println(s);
            String version =
                    h.createQuery("SHOW server_version").mapTo(String.class).one();
            String dataDir =
                    h.createQuery("SHOW data_directory").mapTo(String.class).one();
            System.out.printf("database: PostgreSQL %s, data in %s%s%n", version, dataDir, fileStore(Path.of(dataDir)));
        });
        baselines.put(db, counters(db));
        tableBaselines.put(db, tables(db));
    }

    /**
     * Prints what the database did during the run (commits, deadlocks it detected, WAL written and flushed to
     * disk): call before the database closes.
     */
    void databaseSummary(Database db) {
        long[] before = baselines.get(db);
        long[] after = counters(db);
        if (before == null || after == null || before.length == 0 || after.length == 0) {
            System.out.println("database during the run: (statistics not available)");
            return;
        }
        System.out.printf(
                "database during the run: %,d transactions committed (reads included), %,d rolled back,"
                        + " %d deadlock(s) detected by PostgreSQL, %.0f MB of WAL, %,d WAL flushes to disk"
                        + " (pg_stat_database, pg_stat_wal)%n",
                after[0] - before[0],
                after[1] - before[1],
                after[2] - before[2],
                (after[3] - before[3]) / 1e6,
                after[4] - before[4]);
        Map<String, long[]> was = tableBaselines.getOrDefault(db, Map.of());
        Map<String, long[]> now = tables(db);
        List<String> read = new ArrayList<>();
        List<String> written = new ArrayList<>();
        now.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), delta(e.getValue(), was.get(e.getKey()))))
                .sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]))
                .filter(e -> e.getValue()[0] > 0)
                .limit(5)
                .forEach(e -> read.add(String.format("%s %,d", e.getKey(), e.getValue()[0])));
        now.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), delta(e.getValue(), was.get(e.getKey()))))
                .sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]))
                .filter(e -> e.getValue()[1] > 0)
                .limit(5)
                .forEach(e -> written.add(String.format("%s %,d", e.getKey(), e.getValue()[1])));
        System.out.printf(
                "  scans by table (index + sequential): %s; rows written by table (inserted + updated + deleted): %s"
                        + " (pg_stat_user_tables)%n",
                read.isEmpty() ? "none" : String.join(", ", read),
                written.isEmpty() ? "none" : String.join(", ", written));
    }

    private static long[] delta(long[] now, long[] was) {
        return was == null ? now : new long[] {now[0] - was[0], now[1] - was[1]};
    }

    /** Per table: scans (index + sequential), rows written (inserted + updated + deleted). */
    private static Map<String, long[]> tables(Database db) {
        try {
            return db.jdbi().withHandle(h -> {
                h.execute("SELECT pg_stat_clear_snapshot()");
                Map<String, long[]> m = new LinkedHashMap<>();
                h.createQuery("SELECT relname, coalesce(seq_scan, 0) + coalesce(idx_scan, 0),"
                                + " n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables")
                        .map((rs, ctx) -> Map.entry(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3)}))
                        .forEach(e -> m.put(e.getKey(), e.getValue()));
                return m;
            });
        } catch (RuntimeException e) {
            return Map.of();
        }
    }

    private static long[] counters(Database db) {
        try {
            return db.jdbi().withHandle(h -> {
                h.execute("SELECT pg_stat_clear_snapshot()");
                long[] d = h.createQuery("SELECT xact_commit, xact_rollback, deadlocks FROM pg_stat_database"
                                + " WHERE datname = current_database()")
                        .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)})
                        .one();
                long[] w = h.createQuery("SELECT wal_bytes::bigint, wal_sync FROM pg_stat_wal")
                        .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2)})
                        .one();
                return new long[] {d[0], d[1], d[2], w[0], w[1]};
            });
        } catch (RuntimeException e) {
            return new long[0];
        }
    }

    @Override
    public void close() {
        double secs = (System.nanoTime() - started) / 1e9;
        System.out.flush();
        System.setOut(console);
        System.setErr(consoleErr);
        StringBuilder end = new StringBuilder();
        synchronized (scan) {
            if (scan.lines == 0) {
                end.append(String.format(
                        "server log: no line of it reached this report (`mvn -q exec:java` lets through the"
                                + " server's ERROR lines only, and its WARN lines with"
                                + " MAVEN_OPTS=-Dorg.slf4j.simpleLogger.log.network.aios=warn);"
                                + " PostgreSQL's own count of deadlocks is above%n"));
            } else {
                end.append(String.format(
                        "server log: %d line(s) seen, %d WARN, %d ERROR, %d saying \"deadlock detected\"%s%n",
                        scan.lines,
                        scan.warn,
                        scan.error,
                        scan.deadlock,
                        scan.kinds.isEmpty() ? "" : "; WARN and ERROR lines by kind (count × the first):"));
                scan.kinds.values().stream()
                        .sorted((a, b) -> Integer.compare((Integer) b[0], (Integer) a[0]))
                        .limit(KEPT_LOG_LINES)
                        .forEach(k -> end.append(String.format("  %,d × %s%n", (Integer) k[0], k[1])));
            }
        }
        end.append(String.format("== %s done in %.0f s; load average now %s%n", name, secs, loadAverage()));
        console.print(end);
        console.flush();
        try (OutputStream f = fileOut) {
            f.write(end.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            console.println("could not write " + file + ": " + e.getMessage());
        }
        for (Path dir : scratch) {
            delete(dir);
        }
        console.println("raw output kept in " + relative(file));
    }

    private static void delete(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // scratch: mvn clean takes what is left
        }
    }

    /** The bench module's folder: the current directory when run from {@code bench/}, else {@code ./bench}. */
    private static Path moduleDir() {
        Path cwd = Path.of("").toAbsolutePath();
        return Files.isDirectory(cwd.resolve("src/main/java/network/aios/bench")) ? cwd : cwd.resolve("bench");
    }

    private static Path resultsDir() {
        String dir = System.getProperty("results");
        return dir != null ? Path.of(dir) : moduleDir().resolve("results");
    }

    private static String relative(Path p) {
        Path cwd = Path.of("").toAbsolutePath();
        return p.startsWith(cwd) ? cwd.relativize(p).toString() : p.toString();
    }

    private static String commit() {
        String head = run(List.of("git", "rev-parse", "--short", "HEAD")).trim();
        if (head.isEmpty()) {
            return "(not a git checkout)";
        }
        List<String> changed = run(List.of(
                        "git", "--no-optional-locks", "status", "--porcelain", "--untracked-files=no"))
                .lines()
                .map(l -> l.length() > 3 ? l.substring(3) : l)
                .toList();
        if (changed.isEmpty()) {
            return head + " (working tree clean)";
        }
        return head + " plus uncommitted changes in " + changed.size() + " file(s): "
                + String.join(", ", changed.subList(0, Math.min(8, changed.size())))
                + (changed.size() > 8 ? ", …" : "");
    }

    /**
     * Where the product's classes came from and when they were built: with {@code mvn exec:java} they are the jars
     * last installed in the local Maven repository, by whoever installed last, not necessarily the commit above.
     */
    private static String jars() {
        List<String> out = new ArrayList<>();
        for (Class<?> c : List.of(
                network.aios.server.ControlPlane.class,
                Database.class,
                network.aios.member.desired.InfraNames.class,
                network.aios.api.Json.class)) {
            try {
                Path p = Path.of(
                        c.getProtectionDomain().getCodeSource().getLocation().toURI());
                Instant t = Files.getLastModifiedTime(p).toInstant().truncatedTo(ChronoUnit.SECONDS);
                out.add(p.getFileName() + " " + t);
            } catch (Exception | Error e) {
                out.add(c.getSimpleName() + " (?)");
            }
        }
        return String.join(", ", out);
    }

    private static String machine() {
        long memory = 0;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            memory = os.getTotalMemorySize();
        }
        return String.format(
                "%d cores, %.1f GB, %s %s %s; Java %s (%s, %s); load average %s",
                Runtime.getRuntime().availableProcessors(),
                memory / 1e9,
                System.getProperty("os.name"),
                System.getProperty("os.version"),
                System.getProperty("os.arch"),
                System.getProperty("java.version"),
                System.getProperty("java.vm.name"),
                System.getProperty("java.vendor"),
                loadAverage());
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2] + " (1, 5, 15 min)";
        } catch (IOException | RuntimeException e) {
            return String.format(
                    "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    private static String fileStore(Path p) {
        try {
            FileStore fs = Files.getFileStore(p);
            return " (" + fs.name() + ", " + fs.type() + ")";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** A command's standard output (whatever its exit code), or "" when it could not run. */
    static String run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /**
     * Writes to the console at once, and line by line through the log scan and (when there is one) to the file,
     * which gets every line but the server's log.
     */
    private static final class Tee extends OutputStream {
        private final OutputStream console;
        private final OutputStream file;
        private final LogScan scan;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        Tee(OutputStream console, OutputStream file, LogScan scan) {
            this.console = console;
            this.file = file;
            this.scan = scan;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            console.write(b, off, len);
            for (int i = off; i < off + len; i++) {
                line.write(b[i]);
                if (b[i] == '\n') {
                    endLine();
                }
            }
        }

        private void endLine() throws IOException {
            String l = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (!scan.take(l.stripTrailing()) && file != null) {
                file.write(l.getBytes(StandardCharsets.UTF_8));
            }
        }

        @Override
        public synchronized void flush() throws IOException {
            console.flush();
            if (file != null) {
                file.flush();
            }
        }
    }

    /**
     * Counts the server's log lines (slf4j-simple: {@code <time> [LEVEL] <logger> - <message>}, or Maven's
     * {@code [LEVEL] message}) by level, and those that say {@code deadlock detected}; keeps the first few WARN
     * and ERROR lines. Log lines and stack traces are not written to the results file (they can run to
     * megabytes), whichever stream they arrive on.
     */
    private static final class LogScan {
        private static final java.util.regex.Pattern LOG = java.util.regex.Pattern.compile(
                "^(\\d{4}-\\d\\d-\\d\\dT\\S+ )?(\\[[^\\]]*\\] )?\\[?(INFO|WARN|WARNING|ERROR|DEBUG|TRACE)\\]? .*");
        private static final java.util.regex.Pattern TRACE =
                java.util.regex.Pattern.compile("^(\\s+at |\\s*Caused by: |\\s+\\.\\.\\. \\d+ more|\\s*Suppressed: "
                        + "|[a-z][\\w$]*(\\.[\\w$]+)+(Exception|Error|Throwable)[\\w$]*(: |$)).*");
        /** WARN and ERROR lines by kind (the message with its numbers taken out): count, and the first. */
        private final Map<String, Object[]> kinds = new LinkedHashMap<>();

        private int lines;
        private int warn;
        private int error;
        private int deadlock;

        /** Counts a line; whether it is part of the server's log (not to be kept in the file). */
        synchronized boolean take(String l) {
            if (l.contains("deadlock detected") && !l.stripLeading().startsWith("Caused by")) {
                deadlock++;
            }
            java.util.regex.Matcher m = LOG.matcher(l);
            if (m.matches()) {
                lines++;
                String level = m.group(3);
                boolean w = level.startsWith("WARN");
                boolean e = level.equals("ERROR");
                warn += w ? 1 : 0;
                error += e ? 1 : 0;
                if (w || e) {
                    String message =
                            m.group(1) == null ? l : l.substring(m.group(1).length());
                    String kind = message.replaceAll("\\d+", "N");
                    Object[] k = kinds.get(kind);
                    if (k != null) {
                        k[0] = (Integer) k[0] + 1;
                    } else if (kinds.size() < 200) {
                        kinds.put(kind, new Object[] {
                            1, message.length() > 300 ? message.substring(0, 300) + "…" : message
                        });
                    }
                }
                return true;
            }
            return TRACE.matcher(l).matches();
        }
    }
}
