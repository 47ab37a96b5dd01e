package network.aios.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import network.aios.api.Json;
import network.aios.member.desired.InfraNames;
import network.aios.server.KubeTestCluster;
import network.aios.server.TestServer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The control plane SIGKILLed at every named point of a create, a resync and a removal: the start of every step
 * (a step boundary), after every apply wave reached the cluster but before it was recorded, inside the bootstrap
 * (its identity applied, its credential not yet stored), halfway through the deletions; once with its embedded
 * PostgreSQL killed too. A test hook ({@code AIOS_TEST_HALT_FILE}) holds the job at the point; the kill is real.
 * After each kill one restart gets past the point (to the next, where it is killed again); at the end of each job
 * the cluster holds exactly what the control plane recorded (no duplicate, no unrecorded object), a repair made
 * by a killed run is still reported, and after the removal nothing of it is left and the receipt says so.
 *
 * Every start after a kill answers, has every registration acknowledged before, and has stopped the
 * PostgreSQL the killed JVM left running.
 *
 * <p>Kept small: the kills are chained through one create, one resync and one removal of one cluster (a restart
 * is about 4 s; a fresh job per point would cost a rollout each). {@link CrashRestartIT} kills the database
 * under a running control plane.
 */
class CrashMatrixIT {
    static final String ID = "cm-0";
    Path data;
    Path halt;
    int port;
    Process cp;
    String token;
    /** The killed control plane's PostgreSQL, still running until the next start stops it. */
    long orphan;
    /** Registrations the control plane answered 201 for: every start after a kill still has them. */
    final List<String> acknowledged = new java.util.ArrayList<>();

    Process start(String... args) throws Exception {
        List<String> all = new java.util.ArrayList<>(List.of("--heartbeat-grace-seconds", "30"));
        all.addAll(List.of(args));
        // started twenty times: the flags for a quick start (C1 only, the serial collector), as the tests' own JVMs
        cp = LocalApi.server(
                data,
                port,
                Map.of("AIOS_TEST_HALT_FILE", halt.toString()),
                List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"),
                all.toArray(new String[0]));
        Process started = cp;
        KubeTestCluster.await(
                () -> !started.isAlive()
                        || LocalApi.send(port, "GET", "/healthz", null, null).status() == 200,
                Duration.ofSeconds(120),
                "the control plane to answer");
        assertThat(cp.isAlive()).as("the first start after a kill works").isTrue();
        if (orphan != 0) {
            assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false))
                    .as("the PostgreSQL the killed control plane left running was stopped")
                    .isFalse();
            orphan = 0;
        }
        for (String id : acknowledged) {
            assertThat(LocalApi.send(port, "GET", "/api/v1/clusters/" + id, token, null)
                            .status())
                    .as("acknowledged before the kill: " + id)
                    .isEqualTo(200);
        }
        return cp;
    }

    /** The next run of the job stops at {@code point}. */
    void haltAt(String point) throws Exception {
        Files.deleteIfExists(Path.of(halt + ".reached"));
        Files.writeString(halt, point);
    }

    /** Waits for the job to stop at the point set, then SIGKILLs the control plane (and its database). */
    void killThere(boolean database) throws Exception {
        String point = Files.readString(halt);
        Path reached = Path.of(halt + ".reached");
        KubeTestCluster.await(
                () -> Files.exists(reached) && point.equals(read(reached)),
                Duration.ofSeconds(120),
                "the job to reach '" + point + "'");
        long postmaster =
                Long.parseLong(Files.readAllLines(data.resolve("postgres").resolve("postmaster.pid"))
                        .get(0)
                        .trim());
        cp.destroyForcibly().waitFor(); // SIGKILL
        ProcessHandle pg = ProcessHandle.of(postmaster).orElseThrow();
        if (database) {
            pg.destroyForcibly();
            pg.onExit().get();
        } else {
            assertThat(pg.isAlive()).as("PostgreSQL outlived the JVM").isTrue();
            orphan = postmaster;
        }
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    JsonNode infra() {
        return LocalApi.send(port, "GET", "/api/v1/clusters/" + ID + "/infra", token, null)
                .body();
    }

    JsonNode awaitJob(String kind, String state) {
        KubeTestCluster.await(
                () -> {
                    JsonNode job = infra().path("job");
                    return kind.equals(job.path("kind").asString()) && job.hasNonNull("finishedAt");
                },
                Duration.ofMinutes(3),
                "the " + kind + " job to finish");
        JsonNode job = infra().path("job");
        assertThat(job.path("state").asString()).as(job.toString()).isEqualTo(state);
        return job;
    }

    JsonNode receipt(JsonNode job) {
        return LocalApi.send(port, "GET", "/api/v1/jobs/" + job.get("id").asString(), token, null)
                .body()
                .path("receipt");
    }

    /** The objects the cluster holds labelled for this registration equal what the control plane recorded. */
    void clusterHoldsExactlyWhatIsRecorded(KubeTestCluster kube) {
        var both = kube.recordedAndLabelled(infra().path("inventory"), InfraNames.CLUSTER_LABEL, ID);
        assertThat(both.get("recorded")).isNotEmpty();
        assertThat(both.get("labelled"))
                .as("labelled for " + ID + " on the cluster")
                .isEqualTo(both.get("recorded"));
    }

    /** The points of a create, in the order one job reaches them (the bootstrap applies in two waves). */
    static final List<String> CREATE = List.of(
            "create Pending: start",
            "create Bootstrapping: start",
            "create Bootstrapping: wave 0 applied",
            "create Bootstrapping: wave 1 applied",
            "create Bootstrapping: identity applied",
            "create Applying: start",
            "create Applying: wave 0 applied",
            "create Applying: wave 1 applied",
            "create Applying: wave 2 applied",
            "create WaitingReady: start");

    static final List<String> RESYNC = List.of(
            "resync Pending: start",
            "resync Applying: start",
            "resync Applying: wave 0 applied",
            "resync Applying: wave 1 applied",
            "resync Applying: wave 2 applied",
            "resync WaitingReady: start");

    /** A removal saves its progress as it deletes: killed halfway, it starts again from Removing. */
    static final List<String> REMOVE = List.of(
            "remove Pending: start",
            "remove Pending: deleted 3",
            "remove Removing: start",
            "remove WaitingNamespaceDeletion: start");

    /** Each point in turn: a restart gets past the last one to this one, and is killed there. */
    void restartThrough(List<String> points) throws Exception {
        for (String point : points) {
            haltAt(point);
            start();
            killThere(point.equals("create Applying: wave 2 applied")); // PostgreSQL killed with it, once
        }
        haltAt("none");
        start();
    }

    @Test
    void killedAtEveryNamedPointOneRestartGetsPastItAndTheJobsEndExact() throws Exception {
        KubeTestCluster kube = KubeTestCluster.shared();
        kube.prepare(List.of("node-1", "node-2"));
        kube.awaitNamespaceGone(InfraNames.NAMESPACE);
        data = Files.createTempDirectory("aios-crash-matrix").resolve("data");
        halt = data.resolveSibling("halt");
        port = LocalApi.freePort();
        haltAt("none");
        network.aios.server.KubeletStandIn kubelet = kube.fakeKubelet(InfraNames.NAMESPACE, 900);
        AutoCloseable terminator = kube.podTerminator(InfraNames.NAMESPACE);
        try {
            start();
            token = Files.readString(data.resolve("admin-token")).trim();
            for (int i = 0; i < 20; i++) {
                String id = "cm-" + i; // cm-0 is the one deployed
                assertThat(LocalApi.send(port, "POST", "/api/createCluster", token, TestServer.seedWithId(id))
                                .status())
                        .isEqualTo(201);
                acknowledged.add(id);
            }

            // create: every step's start and every apply wave (applied, not yet recorded), once with PostgreSQL
            // killed too
            String body = Json.MAPPER.writeValueAsString(
                    Json.object().put("cluster_id", ID).put("kube_config_data", kube.ownerKubeconfigYaml()));
            haltAt(CREATE.get(0));
            assertThat(LocalApi.send(port, "POST", "/create-cluster-infra", token, body)
                            .status())
                    .isEqualTo(200);
            killThere(false);
            restartThrough(CREATE.subList(1, CREATE.size()));
            awaitJob("create", "Ready");
            clusterHoldsExactlyWhatIsRecorded(kube);

            // resync: every step's start and every wave, repairing a Deployment someone deleted on the cluster
            // (a resync that repairs nothing leaves no job behind)
            haltAt(RESYNC.get(0));
            cp.destroy();
            cp.waitFor();
            kube.deleteDeployment(InfraNames.NAMESPACE, "aios-mgmt");
            start("--resync-seconds", "1");
            killThere(false);
            restartThrough(RESYNC.subList(1, RESYNC.size()));
            JsonNode resync = awaitJob("resync", "Ready");
            // the repair a killed run made (and could not record) is still told
            assertThat(receipt(resync).path("repaired").toString())
                    .contains("Deployment aios-system/aios-mgmt", "recreated");
            clusterHoldsExactlyWhatIsRecorded(kube);

            // removal: every step's start, and halfway through the deletions
            haltAt(REMOVE.get(0));
            assertThat(LocalApi.send(port, "POST", "/remove-cluster-infra", token, "{\"cluster_id\": \"" + ID + "\"}")
                            .status())
                    .isEqualTo(200);
            killThere(false);
            restartThrough(REMOVE.subList(1, REMOVE.size()));
            JsonNode removed = awaitJob("remove", "Removed");
            JsonNode receipt = receipt(removed);
            assertThat(receipt.path("clean").asBoolean(false))
                    .as(receipt.toString())
                    .isTrue();
            assertThat(receipt.toString()).doesNotContain("residual");
            kube.awaitNamespaceGone(InfraNames.NAMESPACE);
            assertThat(kube.everythingLabelled(InfraNames.CLUSTER_LABEL + "=" + ID))
                    .isEmpty();
        } finally {
            terminator.close();
            kubelet.destroy();
            if (cp != null && cp.isAlive()) {
                cp.destroy(); // SIGTERM: the shutdown hook stops its PostgreSQL
                cp.waitFor();
            }
        }
    }
}
