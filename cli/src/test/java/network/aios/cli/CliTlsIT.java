package network.aios.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import network.aios.server.TestCerts;
import network.aios.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The CLI against a control plane that serves TLS with a self-signed certificate. */
class CliTlsIT {
    static TestCerts certs;
    static TestServer server;

    @BeforeAll
    static void start() {
        certs = TestCerts.selfSigned();
        server = TestServer.configured(c -> c.withTls(certs.cert, certs.key));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static CliIT.Run run(String... args) {
        CommandLine cl = Aios.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return new CliIT.Run(cl.execute(args), out.toString(), err.toString());
    }

    @Test
    void withItsCertificateTheCliWorksWithoutItItSaysWhatToDo() {
        CliIT.Run trusted = run(
                "cluster",
                "list",
                "--server",
                server.url(),
                "--token",
                server.adminToken,
                "--cacert",
                certs.cert.toString());
        assertThat(trusted.exit()).as(trusted.err()).isZero();
        assertThat(trusted.out()).contains("No clusters found.");
        CliIT.Run untrusted = run("cluster", "list", "--server", server.url(), "--token", server.adminToken);
        assertThat(untrusted.exit()).isEqualTo(3);
        assertThat(untrusted.err()).contains("does not trust", "--cacert");
    }

    @Test
    void theServersTlsFlagsAreCheckedBeforeTheRefusalOfPlainHttpAndBeforeAnythingIsWritten() throws Exception {
        TestCerts other = TestCerts.selfSigned();
        java.nio.file.Path data =
                java.nio.file.Files.createTempDirectory("tls-start").resolve("data");
        // --host 0.0.0.0 with TLS flags is not "without TLS"; a key that is not the certificate's stops the start
        CliIT.Run mismatched = run(
                "server",
                "--host",
                "0.0.0.0",
                "--port",
                "0",
                "--data-dir",
                data.toString(),
                "--tls-cert",
                certs.cert.toString(),
                "--tls-key",
                other.key.toString());
        assertThat(mismatched.exit()).isNotZero();
        assertThat(mismatched.err()).contains("TLS").doesNotContain("--insecure-http");
        assertThat(data).as("nothing written: no database, no admin token").doesNotExist();
        java.nio.file.Files.delete(data.getParent());
    }

    @Test
    void aCertificateThatDoesNotNameTheHostIsSaidSoNotBlamedOnTheCa() {
        TestCerts elsewhere = TestCerts.selfSigned("DNS:aios.example");
        try (TestServer named = TestServer.configured(c -> c.withTls(elsewhere.cert, elsewhere.key))) {
            CliIT.Run run = run(
                    "cluster",
                    "list",
                    "--server",
                    named.url(),
                    "--token",
                    named.adminToken,
                    "--cacert",
                    elsewhere.cert.toString());
            assertThat(run.exit()).isEqualTo(3);
            assertThat(run.err()).contains("does not name the host").doesNotContain("--cacert");
        }
    }

    @Test
    void aServerThatIsNotThereOrANameThatDoesNotResolveSaysWhichFlagToCheck() {
        CliIT.Run nobody = run("cluster", "list", "--server", "http://127.0.0.1:1", "--token", server.adminToken);
        assertThat(nobody.exit()).isEqualTo(3);
        assertThat(nobody.err()).contains("cannot reach the control plane", "--server", "AIOS_SERVER");
        CliIT.Run nowhere =
                run("cluster", "list", "--server", "http://aios.invalid:8080", "--token", server.adminToken);
        assertThat(nowhere.exit()).isEqualTo(3);
        assertThat(nowhere.err()).contains("cannot resolve", "--server");
    }
}
