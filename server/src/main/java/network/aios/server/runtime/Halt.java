package network.aios.server.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The crash tests' hook: named points in the job engine (a step boundary, a wave applied but not yet recorded,
 * a removal half done) where the control plane stops making progress so that a test can kill it there. Off
 * unless {@code AIOS_TEST_HALT_FILE} names a file; then a point whose name is that file's content holds the
 * thread that reached it forever and writes the name to {@code <file>.reached}. Costs one null check otherwise.
 * A point is named within the job step its thread runs ({@link #step}): {@code "create Applying: wave 2 applied"},
 * {@code "remove Removing: start"}.
 */
public final class Halt {
    private static final Logger LOG = LoggerFactory.getLogger(Halt.class);
    private static final String FILE = System.getenv("AIOS_TEST_HALT_FILE");

    private static final ThreadLocal<String> STEP = ThreadLocal.withInitial(() -> "");

    private Halt() {}

    /** This thread now runs a job's step {@code "<kind> <state>"}: the point {@code "<step>: start"}. */
    public static void step(String step) {
        if (FILE == null) {
            return;
        }
        STEP.set(step);
        at("start");
    }

    /** The point {@code "<step>: <point>"}. */
    public static void at(String point) {
        if (FILE == null) {
            return;
        }
        point = STEP.get() + ": " + point;
        LOG.info("test hook: at '{}'", point);
        try {
            if (!point.equals(
                    Files.readString(Path.of(FILE), StandardCharsets.UTF_8).trim())) {
                return;
            }
            Files.writeString(Path.of(FILE + ".reached"), point, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return; // no file: no halt
        }
        LOG.warn("test hook: halted at '{}' until this process is killed", point);
        while (true) {
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                // held regardless: only the kill ends it
            }
        }
    }
}
