package network.aios.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Certificates for TLS tests, made with openssl as an operator would (a self-signed one for 127.0.0.1). */
public final class TestCerts {
    public final Path cert;
    public final Path key;

    private TestCerts(Path cert, Path key) {
        this.cert = cert;
        this.key = key;
    }

    public static TestCerts selfSigned() {
        return selfSigned("IP:127.0.0.1,DNS:localhost");
    }

    /** A self-signed certificate naming {@code subjectAltNames} (openssl's form, e.g. {@code DNS:aios.example}). */
    public static TestCerts selfSigned(String subjectAltNames) {
        try {
            Path dir = Files.createTempDirectory("aios-tls");
            openssl(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "server.key");
            openssl(
                    dir,
                    "req",
                    "-x509",
                    "-new",
                    "-key",
                    "server.key",
                    "-out",
                    "server.crt",
                    "-days",
                    "2",
                    "-subj",
                    "/CN=aios-control-plane",
                    "-addext",
                    "subjectAltName=" + subjectAltNames);
            return new TestCerts(dir.resolve("server.crt"), dir.resolve("server.key"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void openssl(Path dir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IllegalStateException("openssl " + String.join(" ", args) + " failed:\n" + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
