package network.aios.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The owner's helpers' mistakes that need no cluster: said in words, with the usual exit codes. */
class OwnerHelpersTest {
    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {}

    /** {@code aios ARGS} in process, as a person runs it; what it printed on each stream. */
    static Run aios(String... args) {
        CommandLine cl = Aios.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void aKubeconfigThatIsNotThereIsAUsageError() {
        Run r = aios("cluster", "init", "--kubeconfig", dir.resolve("nope").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("cannot read --kubeconfig " + dir.resolve("nope") + ": no such file");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void anIdThatCannotNameAClusterIsRefusedBeforeTheClusterIsAsked() {
        Run r = aios("cluster", "init", "--kubeconfig", dir.resolve("nope").toString(), "--id", "Not_A_Label");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--id Not_A_Label: must be a DNS-1123 label");
    }

    @Test
    void anUnreachableClusterIsSaidWithItsAddress() throws Exception {
        Path kc = dir.resolve("kubeconfig");
        Files.writeString(kc, """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
                users: [{name: u, user: {token: t}}]
                contexts: [{name: c, context: {cluster: c, user: u}}]
                current-context: c
                """);
        Run r = aios("cluster", "init", "--kubeconfig", kc.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("error: cannot list the nodes on the cluster at https://127.0.0.1:1");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aDocumentWhoseNodeIdsCannotBeLabelsIsRefusedBeforeTheClusterIsAsked() throws Exception {
        Path doc = dir.resolve("cluster.json");
        Files.writeString(doc, """
                {"id": "c1", "regionId": "r",
                 "nodes": {"nodeData": [{"id": "n1", "vcpus": {"count": 1}, "memory": 1},
                                        {"id": "n1", "vcpus": {"count": 1}, "memory": 1},
                                        {"id": "has space", "vcpus": {"count": 1}, "memory": 1}]}}
                """);
        Run r = aios(
                "cluster",
                "label-nodes",
                "-f",
                doc.toString(),
                "--kubeconfig",
                dir.resolve("nope").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err())
                .contains("its nodes cannot be labelled")
                .contains("/nodes/nodeData/1/id: duplicates the id of /nodes/nodeData/0")
                .contains("/nodes/nodeData/2/id: must be a valid Kubernetes label value");
    }

    @Test
    void aMapWithoutAnEqualsSignIsAUsageError() throws Exception {
        Path doc = dir.resolve("cluster.json");
        Files.writeString(doc, "{}");
        Run r = aios("cluster", "label-nodes", "-f", doc.toString(), "--kubeconfig", "kc", "--map", "worker-1");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--map");
    }
}
