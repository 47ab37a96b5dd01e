package network.aios.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * What a test JVM holds so that the modules' test JVMs, which run side by side (.mvn/maven.config), never
 * share a loopback port range or an external cluster: lock files in the temporary directory, held until
 * the JVM exits.
 */
public final class TestLocks {
    private TestLocks() {}

    /**
     * Where the locks live: one directory for every test JVM on this machine (each module's own temporary
     * directory is under its target/, so that is not where they could meet).
     */
    static Path dir() throws IOException {
        return java.nio.file.Files.createDirectories(Path.of("/tmp", "aios-test-locks"));
    }

    /** Held until this JVM exits, so that no other would see it. */
    private static FileLock externalClusterLock;

    /**
     * One test JVM at a time on a cluster the tests did not start: the infrastructure takes the member
     * cluster's fixed namespace and NodePorts, and the modules' test JVMs run side by side
     * (.mvn/maven.config). A JVM waits here for the one before it to end. The API servers the tests
     * start themselves are one per JVM and need no lock.
     */
    static void holdExclusively(Path kubeconfig) {
        try {
            Path lock = dir().resolve("aios-it-"
                    + Integer.toHexString(kubeconfig.toRealPath().toString().hashCode()) + ".lock");
            FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock held = channel.tryLock();
            if (held == null) {
                System.out.println("waiting for another test JVM to finish with " + kubeconfig + " (" + lock + ")");
                held = channel.lock();
            }
            externalClusterLock = held;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The port ranges this JVM took, held until it exits (see {@link #portRange}). */
    private static final List<FileLock> PORT_RANGES = new java.util.ArrayList<>();

    /**
     * The first of four free loopback ports (an API server's, etcd's, ...). The modules' test JVMs run side by
     * side and may look for a range at the same moment: a range is this JVM's once it holds a lock file named
     * after it (until it exits), so two JVMs never both take one that was free when each looked.
     */
    public static synchronized int portRange() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = 20000 + (int) (Math.random() * 900) * 10;
            FileChannel channel = FileChannel.open(
                    dir().resolve("aios-ports-" + base + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock mine;
            try {
                mine = channel.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException taken) {
                mine = null; // this JVM took it already
            }
            if (mine == null) {
                channel.close();
                continue;
            }
            PORT_RANGES.add(mine);
            boolean free = true;
            for (int p = base; p < base + 4 && free; p++) {
                try (ServerSocket s = new ServerSocket(p, 1, java.net.InetAddress.getLoopbackAddress())) {
                    s.setReuseAddress(true);
                } catch (IOException taken) {
                    free = false;
                }
            }
            if (free) {
                return base;
            }
        }
        throw new IOException("no free port range for the test API server");
    }
}
