package network.aios.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import network.aios.api.ClusterValidator;
import network.aios.api.DocumentParser;
import network.aios.api.Json;
import network.aios.member.Kubeconfigs;
import network.aios.member.desired.InfraSettings;
import network.aios.server.TestServer;
import network.aios.server.auth.TokenService;
import network.aios.server.security.AgentCertificates;
import network.aios.server.security.SecretBox;
import network.aios.store.AddonStore;
import network.aios.store.ClusterRecord;
import network.aios.store.ClusterStore;
import network.aios.store.Database;
import network.aios.store.GatewayRouteStore;
import network.aios.store.InfraJob;
import network.aios.store.JobKind;
import network.aios.store.JobState;
import network.aios.store.JobStore;
import network.aios.store.SigningKeyStore;
import network.aios.store.TestPostgres;
import network.aios.store.TokenStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the job machinery's unit tests share: a registered cluster in a real PostgreSQL of their own, a
 * member cluster in memory ({@link FakeClusterOps}), the test's clock, and the steps wired as the control
 * plane wires them.
 */
abstract class StepsFixture {
    static SecretBox box;
    Database db;
    AgentCertificates certificates;
    static final String OWNER = "runner-test";
    static final RetryPolicy RETRY =
            new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(1), 3, Duration.ofMinutes(5));

    final FakeClusterOps cluster = new FakeClusterOps();
    final network.aios.server.TestClock clock =
            new network.aios.server.TestClock(Instant.parse("2026-11-30T12:00:00Z"));
    JobStore store;
    InfraSteps steps;
    Targets targets;
    TokenService tokens;
    String id;

    @BeforeAll
    static void sealing() throws Exception {
        box = SecretBox.fromEnvOrDataDir(null, Files.createTempDirectory("steps"));
    }

    @AfterEach
    void close() {
        db.close();
    }

    @BeforeEach
    void registered() throws Exception {
        db = TestPostgres.freshDatabase(4); // its own jobs table: a claim finds only this test's job
        certificates = AgentCertificates.load(new SigningKeyStore(db), box, Clock.systemUTC());
        id = register();
        store = new JobStore(db);
        tokens = new TokenService(new TokenStore(db), clock);
        targets = new Targets(
                new ClusterStore(db),
                new AddonStore(db),
                tokens,
                InfraSettings.defaults("http://cp:8080"),
                new GatewayRouteStore(db),
                clock);
        steps = stepsNudging(key -> {});
    }

    /** Registers another cluster (a registration of its own, with no infrastructure yet); its id. */
    String register() throws Exception {
        String key = "c-" + UUID.randomUUID().toString().substring(0, 8);
        ObjectNode doc = new ClusterValidator()
                .validate(DocumentParser.parse(TestServer.seedWithId(key).getBytes(StandardCharsets.UTF_8))
                        .document())
                .document();
        new ClusterStore(db)
                .insert(
                        new ClusterRecord(
                                key,
                                "admin",
                                "registered",
                                null,
                                doc,
                                1,
                                clock.instant(),
                                clock.instant(),
                                null,
                                null,
                                0),
                        "test")
                .orElseThrow();
        return key;
    }

    /** The steps, on this fixture's cluster in memory, with readiness watches that call {@code nudge}. */
    InfraSteps stepsNudging(java.util.function.Consumer<String> nudge) {
        return new InfraSteps(
                targets,
                store,
                tokens,
                box,
                config -> cluster,
                clock,
                RETRY,
                certificates,
                new ReadinessWatches(nudge));
    }

    /** A create job as the API queues it: the owner's kubeconfig sealed in it. */
    InfraJob queued(JobKind kind) throws Exception {
        return queued(kind, id, kind != JobKind.REMOVE);
    }

    /** A job for {@code key}, with the owner's kubeconfig sealed in it or not. */
    InfraJob queued(JobKind kind, String key, boolean withKubeconfig) throws Exception {
        String jobId = "job-" + UUID.randomUUID().toString().substring(0, 13);
        String kubeconfig = Kubeconfigs.parse(
                        Json.MAPPER
                                .getNodeFactory()
                                .stringNode(
                                        "apiVersion: v1\nkind: Config\n"
                                                + "clusters: [{name: c, cluster: {server: 'https://10.0.0.1:6443'}}]\n"
                                                + "users: [{name: u, user: {token: admin-token}}]\n"
                                                + "contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n"),
                        "/k",
                        false)
                .text();
        network.aios.store.Sealed sealed = !withKubeconfig
                ? null
                : box.seal(kubeconfig.getBytes(StandardCharsets.UTF_8), MemberAccess.adminContext(jobId));
        InfraJob job = InfraJob.queued(
                jobId,
                network.aios.api.TargetKey.parse(key),
                kind,
                "queued",
                sealed == null ? null : new InfraJob.Admin(sealed.keyId(), sealed.bytes()),
                "admin",
                clock.instant());
        return store.insert(job, "admin").orElseThrow();
    }

    /** Claims the job, runs one step, saves it (what JobRunner does), moving the clock to when it is due. */
    InfraJob step(InfraJob job) {
        if (job.nextRunAt().isAfter(clock.now)) {
            clock.now = job.nextRunAt();
        }
        InfraJob claimed = store.claim(OWNER, clock.instant(), JobRunner.LEASE).orElseThrow();
        assertThat(claimed.id()).isEqualTo(job.id());
        InfraJob next = steps.step(claimed, OWNER);
        assertThat(steps.save(next, OWNER)).isTrue();
        return store.job(job.id()).orElseThrow();
    }

    InfraJob runToEnd(InfraJob job) {
        for (int i = 0; i < 50 && !job.finished(); i++) {
            job = step(job);
        }
        assertThat(job.finished()).as("finished within 50 steps: " + job).isTrue();
        return job;
    }

    InfraJob ready() throws Exception {
        InfraJob done = runToEnd(queued(JobKind.CREATE));
        assertThat(done.state()).as(done.message()).isEqualTo(JobState.READY);
        return done;
    }
}
