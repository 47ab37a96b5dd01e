package network.aios.server.security;

import java.time.Clock;
import java.util.function.Supplier;
import network.aios.store.SigningKeyStore;

/**
 * A key the whole network shares (the grant key, the agent CA): created by the first replica that
 * needs it, kept in {@code signing_keys} with its private half sealed, read back by every other one.
 */
final class NetworkKeys {
    /** A key as stored: its public half (a key or a certificate, DER) and its private half, opened. */
    record Pair(byte[] publicPart, byte[] privatePart) {}

    private NetworkKeys() {}

    /** The stored key for {@code purpose}, or {@code create}'s, stored first (the first replica's insert wins). */
    static Pair loadOrCreate(SigningKeyStore store, SecretBox box, String purpose, Clock clock, Supplier<Pair> create) {
        SigningKeyStore.Row row = store.get(purpose).orElseGet(() -> {
            Pair created = create.get();
            network.aios.store.Sealed sealed = box.seal(created.privatePart(), purpose);
            return store.insertIfAbsent(new SigningKeyStore.Row(
                    purpose, created.publicPart(), sealed.keyId(), sealed.bytes(), clock.instant()));
        });
        return new Pair(
                row.publicKey(), box.open(new network.aios.store.Sealed(row.keyId(), row.sealedPrivate()), purpose));
    }
}
