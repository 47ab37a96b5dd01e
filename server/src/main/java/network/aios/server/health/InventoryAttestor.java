package network.aios.server.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import network.aios.api.Attestation;
import network.aios.api.InventoryDiff;
import network.aios.api.Json;
import network.aios.api.ObservedInventory;
import network.aios.store.AttestationStore;
import network.aios.store.ObservationStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks what agents report against what the control plane reads from each cluster's API itself, with
 * its own credential, at a randomised interval (so an agent cannot tell when it is being checked). A
 * difference seen twice in a row (a node may just have changed) sets {@code ReportAttested=False} with
 * the differences, is audited, and from then on the cluster's reports count as unverified until the
 * next check matches.
 */
public final class InventoryAttestor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InventoryAttestor.class);
    private final AttestationStore store;
    private final ObservationStore observations;
    private final Function<String, Optional<ObservedInventory>> reader;
    private final Clock clock;
    private final Duration every;
    private final Random random = new Random();
    private final Map<String, Instant> due = new ConcurrentHashMap<>();
    private final Set<String> suspect = ConcurrentHashMap.newKeySet();
    /** Verdicts known here: set by this replica's checks, or read from the store (and re-read after a minute). */
    private final Map<String, Known> verdicts = new ConcurrentHashMap<>();

    static final Duration KNOWN_TTL = Duration.ofSeconds(60);

    private record Known(Optional<Boolean> attested, Instant readAt) {}

    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "aios-attest");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param reader the nodes of a cluster as its API shows them to the control plane's own credential; empty
     *               when it holds none there
     * @param every  the mean interval between checks of one cluster (each is drawn from 0.5x to 1.5x); zero: off
     */
    public InventoryAttestor(
            AttestationStore store,
            ObservationStore observations,
            Function<String, Optional<ObservedInventory>> reader,
            Clock clock,
            Duration every) {
        this.store = store;
        this.observations = observations;
        this.reader = reader;
        this.clock = clock;
        this.every = every;
    }

    /** Starts checking (unless off), supervised by {@code loops}. */
    public void start(network.aios.server.runtime.Loops loops) {
        if (!every.isZero()) {
            ticker.scheduleWithFixedDelay(
                    loops.supervise("attestation", Duration.ofSeconds(1), this::tick), 1, 1, TimeUnit.SECONDS);
        }
    }

    /**
     * The verdict in force for a cluster's reports (empty when never checked). On the heartbeat path: answered
     * from memory; the store is read at most once a minute per cluster (another replica's checks show then).
     */
    public Optional<Boolean> attested(String clusterId) {
        Instant now = clock.instant();
        Known k = verdicts.get(clusterId);
        if (k == null || k.readAt().plus(KNOWN_TTL).isBefore(now)) {
            k = new Known(store.get(clusterId).map(AttestationStore.Row::attested), now);
            verdicts.put(clusterId, k);
        }
        return k.attested();
    }

    /** Clusters read at once, and at once per owner. */
    static final int PARALLEL = 4;

    static final int PER_OWNER = 1;

    private final network.aios.server.runtime.FairPool reads =
            new network.aios.server.runtime.FairPool("aios-attest-read", PARALLEL, PER_OWNER);

    /**
     * Starts the checks due now that may start ({@link network.aios.server.runtime.FairPool}): at most {@link
     * #PARALLEL} at once and one of an owner's; a check that may not start now stays due and is offered again
     * on the next tick. One owner's many slow API servers hold its own share, never anyone else's turn.
     */
    void tick() {
        Instant now = clock.instant();
        List<AttestationStore.Target> targets = store.attestable();
        due.keySet()
                .retainAll(targets.stream()
                        .map(AttestationStore.Target::clusterId)
                        .collect(java.util.stream.Collectors.toSet())); // a set: a list made this n² per tick
        List<AttestationStore.Target> byDue = new java.util.ArrayList<>(targets);
        targets.forEach(t -> due.computeIfAbsent(t.clusterId(), k -> now.plus(jittered())));
        // the longest overdue first, so the same clusters cannot take every turn; sorted on a copy, since checks
        // under way write their next time meanwhile (a comparison that changes mid-sort can make the sort throw)
        Map<String, Instant> when0 = new java.util.HashMap<>(due);
        byDue.sort(java.util.Comparator.comparing(t -> when0.getOrDefault(t.clusterId(), now)));
        for (AttestationStore.Target t : byDue) {
            String id = t.clusterId();
            Instant when = due.getOrDefault(id, now);
            if (!now.isBefore(when)) {
                due.put(id, now.plus(jittered())); // first: a check that finds a suspect sets an earlier one
                if (!reads.offer(t.owner(), id, () -> checkLogged(id, now))) {
                    due.put(id, when); // not started: still due
                }
            }
        }
    }

    private void checkLogged(String id, Instant now) {
        try {
            check(id, now);
        } catch (RuntimeException e) {
            LOG.warn(
                    "cluster {}: could not read its nodes to attest its agents' report: {}",
                    id,
                    network.aios.member.KubeFailure.describeAny(e));
        }
    }

    /** One check now; package-private so tests can run it without waiting for the schedule. */
    void check(String id, Instant now) {
        Optional<ObservedInventory> reported =
                observations.get(id).filter(o -> o.inventory() != null).map(o -> ObservedInventory.of(o.inventory()));
        if (reported.isEmpty()) {
            return; // nothing reported yet: nothing to attest
        }
        Optional<ObservedInventory> actual = reader.apply(id);
        if (actual.isEmpty()) {
            return;
        }
        List<InventoryDiff.Difference> diff = Attestation.compare(reported.get(), actual.get());
        if (!diff.isEmpty() && suspect.add(id)) {
            // a node may have changed between the report and this read: look again soon before judging
            Duration confirm = every.compareTo(Duration.ofSeconds(10)) < 0 ? every : Duration.ofSeconds(10);
            due.put(id, now.plus(confirm));
            return;
        }
        suspect.remove(id);
        boolean ok = diff.isEmpty();
        verdicts.put(id, new Known(Optional.of(ok), now));
        if (store.record(id, ok, Json.MAPPER.writeValueAsString(diff), now)) {
            if (ok) {
                LOG.info("cluster {}: its agents' report matches what the control plane reads", id);
            } else {
                LOG.warn(
                        "cluster {}: its agents report what the cluster's API does not show ({} difference(s)): "
                                + "ReportAttested=False",
                        id,
                        diff.size());
            }
        }
    }

    private Duration jittered() {
        return Duration.ofMillis((long) (every.toMillis() * (0.5 + random.nextDouble())));
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        reads.close();
    }
}
