package network.aios.agent;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import network.aios.agent.PullCredentialStore.Credential;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pull credential the agent presents, and its life: obtained by the exchange, kept in the
 * {@link PullCredentialStore} before it is used, rotated when it is older than {@code --rotate-hours}. A new
 * credential that cannot be kept (the store failed) is still used, since the control plane revoked the old
 * one when it issued it, and is kept at the next step. Used on the pull loop's thread only.
 */
final class PullCredentials {
    private static final Logger LOG = LoggerFactory.getLogger(PullCredentials.class);
    private static final Duration ROTATION_RETRY = Duration.ofMinutes(1);
    private final PullCredentialStore store;
    private final PullClient client;
    private final PullStatus status;
    private final Clock clock;
    private final Duration rotateAfter;
    private Credential current;
    private boolean unsaved;
    private Instant rotationNotBefore = Instant.MIN;

    PullCredentials(
            PullCredentialStore store, PullClient client, PullStatus status, Clock clock, Duration rotateAfter) {
        this.store = store;
        this.client = client;
        this.status = status;
        this.clock = clock;
        this.rotateAfter = rotateAfter;
    }

    /** Whether a credential was kept by an earlier run (it is then the one presented). */
    boolean loadKept() throws IOException {
        var kept = store.load();
        kept.ifPresent(c -> {
            current = c;
            status.credentialStored(c.storedAt());
        });
        return kept.isPresent();
    }

    String where() {
        return store.where();
    }

    /** The credential to present, kept first if an earlier attempt to keep it failed. */
    String secret() {
        keepIfUnsaved();
        return current.secret();
    }

    /** {@code POST /exchange}; a {@code 201}'s credential is kept before this returns. */
    PullClient.Answer exchange(String bootstrapToken, String clusterUid) throws IOException, InterruptedException {
        PullClient.Answer a = client.exchange(bootstrapToken, clusterUid);
        if (a.status() == 201) {
            keep(a.json().path("credential").asString(""));
        }
        return a;
    }

    /**
     * {@code POST /rotate} when the credential is due: its answer (a {@code 201}'s new credential kept), or
     * null when none was due or the control plane did not answer (tried again a minute later).
     */
    PullClient.Answer rotateIfDue() throws InterruptedException {
        Instant now = clock.instant();
        if (current == null || now.isBefore(current.storedAt().plus(rotateAfter)) || now.isBefore(rotationNotBefore)) {
            return null;
        }
        try {
            PullClient.Answer a = client.rotate(secret());
            if (a.status() == 201) {
                keep(a.json().path("credential").asString(""));
                LOG.info("rotated the pull credential; the new one is kept in {}", store.where());
            } else {
                rotationNotBefore = now.plus(ROTATION_RETRY);
            }
            return a;
        } catch (IOException e) {
            LOG.warn(
                    "rotate: the control plane did not answer ({}); trying again later",
                    e.getClass().getSimpleName());
            rotationNotBefore = now.plus(ROTATION_RETRY);
            return null;
        }
    }

    private void keep(String secret) {
        if (secret.isBlank()) {
            throw new IllegalStateException("the control plane's answer carries no credential");
        }
        current = new Credential(secret, clock.instant());
        unsaved = true;
        keepIfUnsaved();
    }

    private void keepIfUnsaved() {
        if (!unsaved) {
            return;
        }
        try {
            current = store.save(current.secret());
            unsaved = false;
            status.credentialStored(current.storedAt());
        } catch (IOException | RuntimeException e) {
            LOG.error(
                    "cannot keep the pull credential in {} ({}): it is held in memory only until it can be",
                    store.where(),
                    e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "PullCredentials[" + store.where() + ", " + current + "]"; // Credential.toString hides the secret
    }
}
