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
        assertThat(trusted.out()).contains("ID");
        CliIT.Run untrusted = run("cluster", "list", "--server", server.url(), "--token", server.adminToken);
        assertThat(untrusted.exit()).isEqualTo(3);
        assertThat(untrusted.err()).contains("does not trust", "--cacert");
    }
}
