package network.aios.server.runtime;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL is the control plane's own: if its server process dies, the control plane exits
 * (status 75, "try again") so that whatever supervises it starts both afresh, instead of answering every
 * request with a database error for as long as it runs. A supervised loop ({@link Loops}), every second.
 */
public final class StoreWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StoreWatch.class);
    public static final int EXIT_STATUS = 75;

    private final BooleanSupplier running;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "aios-store-watch");
        t.setDaemon(true);
        return t;
    });

    public StoreWatch(BooleanSupplier running) {
        this.running = running;
    }

    public void start(Loops loops) {
        ticker.scheduleWithFixedDelay(
                loops.supervise("embedded-postgres", Duration.ofSeconds(1), () -> {
                    if (!running.getAsBoolean()) {
                        LOG.error(
                                "the embedded PostgreSQL's server process is gone: the control plane exits so"
                                        + " that it is started again with it (exit status {})",
                                EXIT_STATUS);
                        Runtime.getRuntime().halt(EXIT_STATUS);
                    }
                }),
                1,
                1,
                TimeUnit.SECONDS);
    }

    /** Stops watching (before the database is stopped on purpose). */
    @Override
    public void close() {
        ticker.shutdownNow();
        try {
            ticker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
