package network.aios.agent;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * The pull credential of a local agent: {@code DIR/credential}, readable by its owner only (0600, set when
 * the file is created, so it is never readable by others even for an instant), replaced atomically (written
 * beside it, flushed, then renamed over it) so that a crash leaves the old credential or the new one, never
 * half of one. When it was kept is the file's modification time.
 */
final class PullCredentialFile implements PullCredentialStore {
    static final String FILE = "credential";
    private final Path dir;

    PullCredentialFile(Path dir) {
        this.dir = dir;
    }

    Path file() {
        return dir.resolve(FILE);
    }

    @Override
    public Optional<Credential> load() throws IOException {
        Path f = file();
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        String secret = Files.readString(f, StandardCharsets.UTF_8).trim();
        return secret.isEmpty()
                ? Optional.empty()
                : Optional.of(
                        new Credential(secret, Files.getLastModifiedTime(f).toInstant()));
    }

    @Override
    public Credential save(String secret) throws IOException {
        Files.createDirectories(
                dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path tmp = Files.createTempFile(
                dir,
                "." + FILE,
                ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(secret.getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
            Files.move(tmp, file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return new Credential(secret, Files.getLastModifiedTime(file()).toInstant());
    }

    @Override
    public String where() {
        return file().toString();
    }
}
