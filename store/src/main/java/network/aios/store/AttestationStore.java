package network.aios.store;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import network.aios.api.Json;
import org.jdbi.v3.core.Jdbi;
import tools.jackson.databind.JsonNode;

/** The latest attestation of each cluster's reported inventory; a change of verdict is audited with it. */
public final class AttestationStore {
    private final Jdbi jdbi;

    public AttestationStore(Database db) {
        this.jdbi = db.jdbi();
    }

    public record Row(
            String clusterId,
            boolean attested,
            JsonNode diff,
            Instant checkedAt,
            Instant since,
            long checks,
            long mismatches) {}

    /** Clusters the control plane holds its own credential for (not add-ons): the ones it can attest. */
    public List<Target> attestable() {
        return jdbi.withHandle(h -> h.createQuery("SELECT c.cluster_id, k.owner FROM cluster_credentials c "
                        + "JOIN clusters k ON k.id = c.cluster_id ORDER BY c.cluster_id")
                .map((rs, ctx) -> new Target(rs.getString("cluster_id"), rs.getString("owner")))
                .list());
    }

    /** A cluster that can be attested, and whose it is. */
    public record Target(String clusterId, String owner) {}

    /** Records a check; true when the verdict changed (or is the first), which is then audited. */
    public boolean record(String clusterId, boolean attested, String diffJson, Instant at) {
        return jdbi.inTransaction(h -> {
            Optional<Boolean> before = h.createQuery(
                            "SELECT attested FROM cluster_attestations WHERE cluster_id = :c " + "FOR UPDATE")
                    .bind("c", clusterId)
                    .mapTo(Boolean.class)
                    .findOne();
            int rows = h.createUpdate("""
                    INSERT INTO cluster_attestations (cluster_id, attested, diff, checked_at, since, checks, mismatches)
                    SELECT :c, :a, CAST(:d AS jsonb), :at, :at, 1, CASE WHEN :a THEN 0 ELSE 1 END
                    WHERE EXISTS (SELECT 1 FROM clusters WHERE id = :c)
                    ON CONFLICT (cluster_id) DO UPDATE SET attested = :a, diff = CAST(:d AS jsonb), checked_at = :at,
                        since = CASE WHEN cluster_attestations.attested = :a THEN cluster_attestations.since ELSE :at END,
                        checks = cluster_attestations.checks + 1,
                        mismatches = cluster_attestations.mismatches + CASE WHEN :a THEN 0 ELSE 1 END""")
                    .bind("c", clusterId)
                    .bind("a", attested)
                    .bind("d", diffJson)
                    .bind("at", Timestamp.from(at))
                    .execute();
            boolean changed = rows > 0 && (before.isEmpty() || before.get() != attested);
            if (changed) {
                Audit.write(
                        h,
                        at,
                        "control-plane",
                        "cluster.attestation",
                        clusterId,
                        "{\"attested\": " + attested + ", \"diff\": " + diffJson + "}");
            }
            return changed;
        });
    }

    public Optional<Row> get(String clusterId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT cluster_id, attested, diff::text AS diff, checked_at, since, "
                        + "checks, mismatches FROM cluster_attestations WHERE cluster_id = :c")
                .bind("c", clusterId)
                .map((rs, ctx) -> new Row(
                        rs.getString("cluster_id"),
                        rs.getBoolean("attested"),
                        Json.parse(rs.getString("diff")),
                        rs.getTimestamp("checked_at").toInstant(),
                        rs.getTimestamp("since").toInstant(),
                        rs.getLong("checks"),
                        rs.getLong("mismatches")))
                .findOne());
    }
}
