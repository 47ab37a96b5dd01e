package network.aios.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEM intake with material openssl made, as an operator would. */
class PemTest {
    @TempDir
    Path dir;

    void openssl(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
    }

    String read(String name) throws Exception {
        return Files.readString(dir.resolve(name));
    }

    void selfSigned(String keyAlg, String name) throws Exception {
        if (keyAlg.equals("ec")) {
            openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", name + ".key");
        } else {
            openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", name + ".key");
        }
        openssl(
                "req",
                "-x509",
                "-new",
                "-key",
                name + ".key",
                "-out",
                name + ".crt",
                "-days",
                "2",
                "-subj",
                "/CN=aios-test",
                "-addext",
                "subjectAltName=IP:127.0.0.1,DNS:localhost");
    }

    @Test
    void aCertificateAndItsKeyMakeAKeyStoreRsaOrEc() throws Exception {
        selfSigned("rsa", "rsa");
        selfSigned("ec", "ec");
        KeyStore rsa = Pem.keyStore(read("rsa.crt"), read("rsa.key"), "x".toCharArray());
        assertThat(rsa.isKeyEntry("aios")).isTrue();
        assertThat(Pem.keyStore(read("ec.crt"), read("ec.key"), "x".toCharArray())
                        .isKeyEntry("aios"))
                .isTrue();
        assertThat(Pem.trusting(read("rsa.crt")).getProtocol()).isEqualTo("TLS");
    }

    @Test
    void aKeyOfAnotherCertificateOrInTheOldFormatIsRefusedWithTheFix() throws Exception {
        selfSigned("rsa", "a");
        selfSigned("rsa", "b");
        assertThatThrownBy(() -> Pem.keyStore(read("a.crt"), read("b.key"), "x".toCharArray()))
                .hasMessageContaining("does not belong");
        openssl("genrsa", "-traditional", "-out", "old.key", "2048");
        assertThatThrownBy(() -> Pem.privateKey(read("old.key"))).hasMessageContaining("openssl pkcs8 -topk8");
        assertThatThrownBy(() -> Pem.certificates("nothing here")).hasMessageContaining("BEGIN CERTIFICATE");
    }
}
