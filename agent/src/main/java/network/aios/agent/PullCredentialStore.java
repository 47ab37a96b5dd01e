package network.aios.agent;

import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

/**
 * Where the pull agent keeps its pull credential between runs: a file in {@code --state-dir} (a local
 * process) or Secret {@code aios-pull-credential} in its namespace (a pod). The credential is the agent's
 * only way back to the control plane once the single-use bootstrap token is spent, so a new one is stored
 * before it is used.
 */
interface PullCredentialStore {
    /** The credential kept, if any. */
    Optional<Credential> load() throws IOException;

    /** Keeps {@code secret} in place of the previous one; returns it with the time it was kept. */
    Credential save(String secret) throws IOException;

    /** Where the credential is kept, for messages (never its value). */
    String where();

    /** A pull credential and when it was kept (its age decides rotation). {@code toString} hides the secret. */
    record Credential(String secret, Instant storedAt) {
        @Override
        public String toString() {
            return "Credential[stored " + storedAt + "]"; // never the secret
        }
    }
}
