package network.aios.agent;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * How the {@code pull} role runs: the bootstrap token it exchanges once (a {@link BootstrapToken}, which
 * forgets once exchanged), where it keeps the pull credential ({@code stateDir}: a file; null: the Secret in
 * its namespace) and how often it asks for a new one. {@code toString} names no secret.
 */
record PullSettings(BootstrapToken bootstrap, Path stateDir, Duration rotateAfter) {
    /** The longest a long poll asks the control plane to wait (the contract allows up to 60 s). */
    static final int LONG_POLL_SECONDS = 30;

    /**
     * The single-use bootstrap token: it is dead once exchanged (or refused), and kept no longer than that,
     * so a heap dump or a later bug cannot show it. It is kept until then because an exchange that got no
     * answer is tried again with it.
     */
    static final class BootstrapToken {
        private final AtomicReference<String> value;

        BootstrapToken(String value) {
            this.value = new AtomicReference<>(value == null || value.isBlank() ? null : value.trim());
        }

        /** The token; null once forgotten (or when none was given). */
        String value() {
            return value.get();
        }

        void forget() {
            value.set(null);
        }

        boolean present() {
            return value.get() != null;
        }

        @Override
        public String toString() {
            return present() ? "[bootstrap token]" : "[no bootstrap token]"; // never the token
        }
    }

    @Override
    public String toString() {
        return "PullSettings[" + bootstrap + ", stateDir=" + stateDir + ", rotateAfter=" + rotateAfter + "]";
    }
}
