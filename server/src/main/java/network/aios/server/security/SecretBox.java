package network.aios.server.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import network.aios.store.Sealed;

/**
 * Seals secrets at rest with AES-256-GCM. Each sealed value records the id of the key that sealed it,
 * so keys can rotate: the current key seals, any known key opens. Keys come from AIOS_SECRET_KEY
 * (base64 of 32 bytes) or the file {@code data/secret.key} (created on first start, owner-only), plus
 * older keys in {@code data/secret.key.*} files.
 */
public final class SecretBox {
    private static final int NONCE = 12;
    private static final int TAG_BITS = 128;

    private final String currentId;
    private final Map<String, byte[]> keys;
    private final SecureRandom random = new SecureRandom();

    SecretBox(byte[] current, Map<String, byte[]> older) {
        this.currentId = keyId(current);
        this.keys = new LinkedHashMap<>();
        keys.put(currentId, current);
        older.values().forEach(k -> keys.putIfAbsent(keyId(k), k));
    }

    public static SecretBox fromEnvOrDataDir(String envKey, Path dataDir) {
        Map<String, byte[]> older = new LinkedHashMap<>();
        try {
            Files.createDirectories(dataDir);
            try (var files = Files.list(dataDir)) {
                for (Path p : files.filter(f -> f.getFileName().toString().startsWith("secret.key."))
                        .toList()) {
                    older.put(p.toString(), decode(Files.readString(p).trim(), p.toString()));
                }
            }
            if (envKey != null && !envKey.isBlank()) {
                return new SecretBox(decode(envKey.trim(), "AIOS_SECRET_KEY"), older);
            }
            Path file = dataDir.resolve("secret.key");
            if (!Files.exists(file)) {
                byte[] key = new byte[32];
                new SecureRandom().nextBytes(key);
                Files.createFile(
                        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(file, Base64.getEncoder().encodeToString(key) + "\n");
            }
            return new SecretBox(decode(Files.readString(file).trim(), file.toString()), older);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the secret key in " + dataDir, e);
        }
    }

    private static byte[] decode(String b64, String where) {
        byte[] k;
        try {
            k = Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + " is not base64");
        }
        if (k.length != 32) {
            throw new IllegalArgumentException(where + " must hold 32 bytes (AES-256), base64-encoded");
        }
        return k;
    }

    static String keyId(byte[] key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key), 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public Sealed seal(byte[] plain, String context) {
        try {
            byte[] nonce = new byte[NONCE];
            random.nextBytes(nonce);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(
                    Cipher.ENCRYPT_MODE,
                    new SecretKeySpec(keys.get(currentId), "AES"),
                    new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(context.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            byte[] ct = c.doFinal(plain);
            return new Sealed(
                    currentId,
                    ByteBuffer.allocate(NONCE + ct.length).put(nonce).put(ct).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("sealing failed", e);
        }
    }

    /** Opens a sealed value; {@code context} must be the one it was sealed with (e.g. the cluster id). */
    public byte[] open(Sealed sealed, String context) {
        byte[] key = keys.get(sealed.keyId());
        if (key == null) {
            throw new IllegalStateException("a secret was sealed with key " + sealed.keyId()
                    + ", which this control plane does not have (see secret.key.* in the data folder)");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(
                    Cipher.DECRYPT_MODE,
                    new SecretKeySpec(key, "AES"),
                    new GCMParameterSpec(TAG_BITS, sealed.bytes(), 0, NONCE));
            c.updateAAD(context.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return c.doFinal(sealed.bytes(), NONCE, sealed.bytes().length - NONCE);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a sealed secret could not be opened (wrong key or tampered)", e);
        }
    }
}
