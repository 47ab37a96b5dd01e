package network.aios.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import network.aios.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The aios client commands against a running control plane. */
class CliIT {
    static TestServer server;
    static final Path SEED = Path.of("..", "examples", "cluster.json");

    @BeforeAll
    static synchronized void start() {
        if (server == null) {
            server = new TestServer();
        }
    }

    @AfterAll
    static synchronized void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    record Run(int exit, String out, String err) {}

    static Run aios(String... args) {
        return run(server, server.adminToken, args);
    }

    /** {@code aios ARGS} against {@code server} with {@code token} (none for offline commands like validate). */
    static Run run(TestServer server, String token, String... args) {
        CommandLine cl = Aios.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        String[] full = args;
        if (args.length > 1 && !args[1].equals("validate")) {
            full = new String[args.length + 4];
            System.arraycopy(args, 0, full, 0, args.length);
            full[args.length] = "--server";
            full[args.length + 1] = server.url();
            full[args.length + 2] = "--token";
            full[args.length + 3] = token;
        }
        int exit = cl.execute(full);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void validateAcceptsTheSeedOfflineAndPrintsPathsForErrors() throws Exception {
        Run ok = aios("cluster", "validate", "-f", SEED.toString());
        assertThat(ok.exit()).isZero();
        assertThat(ok.out()).contains("valid (cluster cluster-west-vision-001)");
        Path bad = Files.createTempFile("bad", ".json");
        Files.writeString(
                bad,
                Files.readString(SEED)
                        .replace("\"count\": 48", "\"count\": 4")
                        .replace("\"regionId\": \"us-west-2\",", ""));
        Run r = aios("cluster", "validate", "-f", bad.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("/regionId: is required", "/vcpus/count: must equal the sum");
    }

    @Test
    void createGetListAndDelete() {
        Run created = aios("cluster", "create", "-f", SEED.toString());
        assertThat(created.exit()).as(created.err()).isZero();
        assertThat(created.out()).contains("\"status\" : \"registered\"");
        Run again = aios("cluster", "create", "-f", SEED.toString());
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("error 409 conflict");
        assertThat(aios("cluster", "get", "cluster-west-vision-001", "-o", "yaml")
                        .out())
                .contains("regionId: \"us-west-2\"");
        Run table = aios("cluster", "list", "--tag", "vision", "--min-gpus", "3");
        assertThat(table.out()).contains("ID", "REGION", "cluster-west-vision-001", "us-west-2", "196608");
        assertThat(aios("cluster", "list", "-o", "json", "--region", "nowhere").out())
                .contains("\"items\" : [ ]");
        // kubectl's habits: an empty table says so; get has a table view, wide adds columns
        assertThat(aios("cluster", "list", "--region", "nowhere").out()).isEqualTo("No clusters found.\n");
        assertThat(aios("cluster", "get", "cluster-west-vision-001", "-o", "wide")
                        .out())
                .contains("GPU-MODELS", "NVIDIA A100", "cluster-west-vision-001.company.net")
                .doesNotContain("{");
        assertThat(aios("cluster", "delete", "cluster-west-vision-001").exit()).isZero();
        assertThat(aios("cluster", "get", "cluster-west-vision-001").err()).contains("error 404 not_found");
    }

    @Test
    void policySetAndTest() throws Exception {
        Path policy = Files.createTempFile("policy", ".yaml");
        Files.writeString(policy, """
                rules:
                  - expression: cluster_data.gpus.count >= 8
                    message: at least 8 GPUs
                """);
        Path seedCopy = Files.createTempFile("seed", ".json");
        Files.writeString(seedCopy, Files.readString(SEED).replace("cluster-west-vision-001", "policy-cli"));
        Run tried = aios("policy", "test", "add_cluster", "-f", seedCopy.toString(), "--policy", policy.toString());
        assertThat(tried.exit()).isEqualTo(1);
        assertThat(tried.out()).contains("denied", "at least 8 GPUs");
        assertThat(aios("policy", "set", "update_cluster", "-f", policy.toString())
                        .out())
                .contains("policy update_cluster is now version 1");
        assertThat(aios("policy", "get", "update_cluster").out()).contains("at least 8 GPUs");
        Path broken = Files.createTempFile("broken", ".yaml");
        Files.writeString(broken, "rules:\n  - expression: 'cluster_data.gpus.count >='\n    message: m\n");
        Run bad = aios("policy", "set", "update_cluster", "-f", broken.toString());
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).contains("/rules/0/expression");
    }

    @Test
    void addonRegistries() throws Exception {
        server.post("/api/createCluster", TestServer.seedWithId("cli-addons"), server.adminToken);
        Path entry = Files.createTempFile("entry", ".json");
        Files.writeString(
                entry,
                Files.readString(Path.of("..", "examples", "container-registry-entry.json"))
                        .replace("\"cluster_id\": \"cluster-west-vision-001\"", "\"cluster_id\": \"cli-addons\""));
        Run created = aios("registry", "create", "-f", entry.toString());
        assertThat(created.exit()).as(created.err()).isZero();
        String id = network.aios.api.Json.parse(created.out()).get("id").asString();
        Run list = aios("registry", "list", "--tag", "oci");
        assertThat(list.out()).contains("community-registry-us-west", "cli-addons", "unknown");
        assertThat(aios("registry", "get", id, "-o", "yaml").out()).contains("container_registry_storage_mb: 512000");
        Run dup = aios("registry", "create", "-f", entry.toString());
        assertThat(dup.exit()).isEqualTo(1);
        assertThat(dup.err()).contains("error 409 conflict");
        assertThat(aios("registry", "delete", id).out()).contains("deleted");
        Path bad = Files.createTempFile("asset", ".json");
        Files.writeString(bad, "{\"asset_registry_public_url\": \"gopher://x\"}");
        Run invalid = aios("asset-registry", "create", "-f", bad.toString());
        assertThat(invalid.err()).contains("/asset_registry_name: is required", "/asset_registry_public_url");
    }

    @Test
    void tokensForOwners() {
        Run t = aios("token", "create", "dora");
        assertThat(t.exit()).isZero();
        String token = t.out().trim();
        assertThat(token).startsWith("aios_");
        assertThat(aios("token", "list").out())
                .contains("dora", "owner", "active")
                .doesNotContain(token);
        // one verb for taking something away, the others kept as aliases
        assertThat(aios("token", "delete", "dora").exit()).isZero();
        assertThat(aios("token", "list").out()).contains("dora", "revoked");
    }

    @Test
    void clientFlagsWorkBeforeTheCommandAndAMistypedCommandSaysWhereHelpIs() {
        CommandLine cl = Aios.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        int exit = cl.execute("--server", server.url(), "--token", server.adminToken, "cluster", "list", "-o", "json");
        assertThat(exit).isZero();
        assertThat(out.toString()).contains("\"items\"");

        CommandLine typo = Aios.commandLine();
        StringWriter err = new StringWriter();
        typo.setErr(new PrintWriter(err));
        assertThat(typo.execute("cluster", "lst")).isEqualTo(2);
        assertThat(err.toString())
                .contains("error: Unmatched argument", "See 'aios cluster --help'.")
                .doesNotContain("Commands:");
    }

    @Test
    void unreachableServerIsAClearError() {
        CommandLine cl = Aios.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute("cluster", "list", "--server", "http://127.0.0.1:1", "--token", "x");
        assertThat(exit).isEqualTo(3);
        assertThat(err.toString()).contains("cannot reach the control plane");
    }

    @Test
    void describeShowsConditionsDeclaredAgainstObservedAndTheDrift() {
        assertThat(server.post("/api/createCluster", TestServer.seedWithId("described"), server.adminToken)
                        .status())
                .isEqualTo(201);
        new network.aios.store.ClusterStore(server.db)
                .setInfra("described", network.aios.store.InfraPhase.READY, null, "test", java.time.Instant.now());
        String agent = server.cp.tokens().issueAgent("described", "test").token();
        String beat = """
                {"agent": {"version": "0.1.0"}, "inventory": {"nodes": [
                  {"name": "worker-a", "nodeId": "node-1", "ready": true,
                   "capacity": {"vcpus": 32, "memoryMB": 128000, "ephemeralStorageMB": 1, "gpus": 2},
                   "gpu": {"product": "NVIDIA-A100-SXM4-40GB", "count": 2}},
                  {"name": "worker-b", "nodeId": "node-9", "ready": true,
                   "capacity": {"vcpus": 16, "memoryMB": 64000, "ephemeralStorageMB": 1, "gpus": 1}}]}}""";
        assertThat(server.post("/api/v1/clusters/described/heartbeat", beat, agent)
                        .status())
                .isEqualTo(200);
        Run d = aios("cluster", "describe", "described");
        assertThat(d.exit()).as(d.err()).isZero();
        assertThat(d.out())
                .contains(
                        "Status:      degraded",
                        "Ready",
                        "HeartbeatFresh",
                        "InventoryVerified",
                        "DiffersFromDocument",
                        "(not seen)",
                        "(not declared)",
                        "node-9",
                        "/nodes/nodeData/1/id",
                        "2 x NVIDIA-A100-SXM4-40GB",
                        "Routes:",
                        "(none)",
                        "URLs:");
    }

    @Test
    void auditListsWhatHappenedFilteredAndNeverTakesTheActorFromABody() {
        String owner = server.ownerToken("auditee");
        assertThat(server.post("/api/createCluster", TestServer.seedWithId("audited-1"), owner)
                        .status())
                .isEqualTo(201);
        assertThat(server.send(
                                "PATCH",
                                "/api/v1/clusters/audited-1",
                                "{\"tags\":[\"a\"],\"actor\":\"admin\"}"
                                        .getBytes(java.nio.charset.StandardCharsets.UTF_8),
                                owner)
                        .status())
                .isEqualTo(200);
        Run all = aios("audit", "--cluster", "audited-1");
        assertThat(all.exit()).as(all.err()).isZero();
        assertThat(all.out()).contains("ACTOR", "auditee", "cluster.update").doesNotContain(" admin ");
        Run json = aios("audit", "--actor", "auditee", "--action", "cluster.update", "-o", "json");
        assertThat(json.out()).contains("\"target\" : \"audited-1\"").doesNotContain("cluster.create");
        Run paged = aios("audit", "--limit", "1", "--cluster", "audited-1");
        assertThat(paged.out()).contains("cluster.update").contains("(more: --continue ");
        String next = paged.out().replaceAll("(?s).*--continue (\\d+)\\).*", "$1");
        assertThat(aios("audit", "--limit", "1", "--cluster", "audited-1", "--continue", next)
                        .out())
                .contains("cluster.create");
        Run bad = aios("audit", "--since", "yesterday");
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.err()).contains("/query/since");
    }

    @Test
    void updatePatchAndDeleteAreAtParityWithTheApi() throws Exception {
        assertThat(server.post("/api/createCluster", TestServer.seedWithId("parity-1"), server.adminToken)
                        .status())
                .isEqualTo(201);
        Run patched = aios("cluster", "patch", "parity-1", "-p", "{\"tags\": [\"gpu\", \"parity\"]}");
        assertThat(patched.exit()).as(patched.err()).isZero();
        assertThat(network.aios.api.Json.parse(patched.out()).at("/tags/1").asString())
                .isEqualTo("parity");
        // get -> edit -> update, the version taken from the file
        Run got = aios("cluster", "get", "parity-1", "-o", "json");
        tools.jackson.databind.node.ObjectNode doc =
                (tools.jackson.databind.node.ObjectNode) network.aios.api.Json.parse(got.out());
        doc.put("regionId", "eu-north-1");
        java.nio.file.Path file = java.nio.file.Files.createTempFile("parity", ".json");
        java.nio.file.Files.writeString(file, network.aios.api.Json.pretty(doc));
        Run updated = aios("cluster", "update", "parity-1", "-f", file.toString());
        assertThat(updated.exit()).as(updated.err()).isZero();
        assertThat(network.aios.api.Json.parse(updated.out()).path("regionId").asString())
                .isEqualTo("eu-north-1");
        // the same file again: its version is stale now, and the CLI says so instead of overwriting
        Run stale = aios("cluster", "update", "parity-1", "-f", file.toString());
        assertThat(stale.exit()).isNotZero();
        assertThat(stale.err()).contains("412");
        // an add-on bound to it: the refusal names the CLI command that resolves it, not an HTTP call
        assertThat(server.post(
                                "/asset_registry",
                                "{\"asset_registry_name\":\"parity-assets\",\"asset_registry_public_url\":"
                                        + "\"https://assets.example:443\",\"cluster_id\":\"parity-1\"}",
                                server.adminToken)
                        .status())
                .isEqualTo(201);
        Run refused = aios("cluster", "delete", "parity-1");
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.err()).contains("409", "next: aios cluster delete parity-1 --cascade");
        Run deleted = aios("cluster", "delete", "parity-1", "--cascade");
        assertThat(deleted.exit()).as(deleted.err()).isZero();
        assertThat(deleted.out()).contains("parity-1 deleted");
        assertThat(server.get("/api/v1/clusters/parity-1", server.adminToken).status())
                .isEqualTo(404);
    }

    @Test
    void refusalsSayWhatToDoNext() {
        CommandLine cl = Aios.commandLine();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(new StringWriter()));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute("cluster", "get", "anything", "--server", server.url(), "--token", "aios_wrong");
        assertThat(exit).isNotZero();
        assertThat(err.toString()).contains("401", "--token", "AIOS_TOKEN");
        Run missing = aios("cluster", "get", "no-such-cluster");
        assertThat(missing.exit()).isNotZero();
        assertThat(missing.err()).contains("404", "aios cluster list");
    }

    @Test
    void aServerThatCannotStartSaysWhyInOneLine() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            CommandLine cl = Aios.commandLine();
            StringWriter err = new StringWriter();
            cl.setErr(new PrintWriter(err));
            int exit = cl.execute(
                    "server",
                    "--data-dir",
                    java.nio.file.Files.createTempDirectory("taken").toString(),
                    "--port",
                    Integer.toString(taken.getLocalPort()));
            assertThat(exit).isEqualTo(1);
            assertThat(err.toString().trim())
                    .startsWith("error: port " + taken.getLocalPort())
                    .contains("--port")
                    .doesNotContain("\tat ");
        }
    }
}
