package network.aios.server.pull;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import network.aios.member.desired.NodeJoin;
import network.aios.member.desired.NodeJoinWork;
import network.aios.server.security.SecretBox;
import network.aios.store.NodeJoinRecord;
import network.aios.store.NodeJoinStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pull mode's half of external nodes' bootstrap tokens: the control plane holds no credential to a pull cluster, so
 * its agent makes and deletes the tokens' Secrets. What it is asked to do comes from {@link
 * NodeJoinStore#secretWork} (the tokens opened here, only to be served to that cluster's agent, never logged); what
 * it reports is applied to that cluster's own joins only, found by the token id the Secret's name carries.
 */
final class PullNodeJoins {
    private static final Logger LOG = LoggerFactory.getLogger(PullNodeJoins.class);
    /** The most Secrets one desired state asks for (creates first); the rest come once these are done. */
    static final int MAX_SERVED = 100;

    private final NodeJoinStore store;
    private final SecretBox box;
    private final Clock clock;

    PullNodeJoins(NodeJoinStore store, SecretBox box, Clock clock) {
        this.store = store;
        this.box = box;
        this.clock = clock;
    }

    /** What the cluster's agent is to do now; empty when nothing. */
    NodeJoinWork work(String clusterId) {
        List<NodeJoinWork.Create> create = new ArrayList<>();
        List<NodeJoinWork.Delete> delete = new ArrayList<>();
        Instant now = clock.instant();
        for (NodeJoinRecord j : store.secretWork(clusterId, now)) {
            if (create.size() + delete.size() >= MAX_SERVED) {
                break;
            }
            if (j.secretState() == NodeJoinRecord.SecretState.PENDING) {
                opened(j).ifPresent(t -> create.add(new NodeJoinWork.Create(clusterId, j.nodeId(), t, j.expiresAt())));
            } else if (j.secretState() == NodeJoinRecord.SecretState.CREATED) {
                delete.add(new NodeJoinWork.Delete(j.tokenId(), j.secretUid(), j.secretVersion()));
            }
        }
        return new NodeJoinWork(create, delete);
    }

    private Optional<NodeJoin.Token> opened(NodeJoinRecord j) {
        try {
            NodeJoin.Token t =
                    NodeJoin.Token.parse(new String(box.open(j.token(), j.sealContext()), StandardCharsets.US_ASCII));
            if (!t.id().equals(j.tokenId())) {
                LOG.warn(
                        "{}: node join {}'s sealed token is not token {}: not served",
                        j.clusterId(),
                        j.id(),
                        j.tokenId());
                return Optional.empty();
            }
            return Optional.of(t);
        } catch (RuntimeException e) { // a key this control plane lacks, or a damaged row: said without the token
            LOG.warn(
                    "{}: node join {}'s token cannot be opened ({}): its Secret is not served",
                    j.clusterId(),
                    j.id(),
                    e.getClass().getSimpleName());
            return Optional.empty();
        }
    }

    /** Applies what the agent of {@code clusterId} reported about its bootstrap Secrets, to that cluster's rows. */
    void reported(String clusterId, List<PullReport.NodeJoinResult> results) {
        for (PullReport.NodeJoinResult r : results) {
            List<NodeJoinRecord> rows = store.byTokenId(clusterId, r.tokenId());
            switch (r.outcome()) {
                case "created" ->
                    rows.stream()
                            .filter(j -> j.secretState() == NodeJoinRecord.SecretState.PENDING)
                            .findFirst()
                            .ifPresentOrElse(
                                    j -> {
                                        store.secretCreated(j.id(), r.uid(), r.resourceVersion());
                                        LOG.info(
                                                "{}: the pull agent made {} (node {})",
                                                clusterId,
                                                r.name(),
                                                j.nodeId());
                                    },
                                    () -> LOG.debug(
                                            "{}: {} reported made, but none of its joins waits for it",
                                            clusterId,
                                            r.name()));
                case "deleted", "gone" -> {
                    boolean settled = false;
                    for (NodeJoinRecord j : rows) {
                        if (j.secretState() == NodeJoinRecord.SecretState.CREATED
                                && store.secretGone(clusterId, j.id(), r.uid())) {
                            settled = true;
                            LOG.info(
                                    "{}: the pull agent reports {} {} (node {})",
                                    clusterId,
                                    r.name(),
                                    r.outcome(),
                                    j.nodeId());
                            break;
                        }
                    }
                    if (!settled) {
                        LOG.debug(
                                "{}: {} reported {}, but no join of it had that Secret made",
                                clusterId,
                                r.name(),
                                r.outcome());
                    }
                }
                default ->
                    LOG.warn(
                            "{}: the pull agent could not make or delete {}: {}",
                            clusterId,
                            r.name(),
                            r.message() == null ? "(no message)" : r.message());
            }
        }
    }
}
