package network.aios.store;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * What the control plane made on a member cluster (a cluster's or an add-on's infrastructure): the intent to
 * create an object is recorded before it is applied, its uid and revision after, so a removal finds even
 * an object whose apply was cut off. Reached through {@link JobStore#inventory()}.
 */
public final class InventoryStore {
    private final Jdbi jdbi;

    InventoryStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * One recorded object. {@code uid} is null while only the intent is recorded; {@code revision} is what the
     * object had right after the control plane last applied it (null: not known).
     */
    public record InventoryItem(
            int seq, String apiVersion, String kind, String namespace, String name, String uid, String revision) {}

    /** An object about to be applied, as the inventory records it. */
    public record Intent(int seq, String apiVersion, String kind, String namespace, String name) {}

    /** Records the intent to create objects before they are applied (one batch, idempotent). */
    public void recordIntents(String clusterId, List<Intent> intents, Instant at) {
        jdbi.useTransaction(h -> {
            var batch = h.prepareBatch("INSERT INTO infra_inventory (cluster_id, seq, api_version, kind, namespace, "
                    + "name, recorded_at) VALUES (:c, :seq, :v, :k, :ns, :n, :at) ON CONFLICT DO NOTHING");
            for (Intent i : intents) {
                batch.bind("c", clusterId)
                        .bind("seq", i.seq())
                        .bind("v", i.apiVersion())
                        .bind("k", i.kind())
                        .bind("ns", i.namespace() == null ? "" : i.namespace())
                        .bind("n", i.name())
                        .bind("at", Timestamp.from(at))
                        .add();
            }
            batch.execute();
        });
    }

    /** Records the uids of applied objects and the revisions the apply left them at (one batch). */
    public void recordApplied(String clusterId, List<Intent> applied, List<String> uids, List<String> revisions) {
        jdbi.useTransaction(h -> {
            var batch = h.prepareBatch("UPDATE infra_inventory SET uid = :uid, revision = :rev WHERE cluster_id = :c "
                    + "AND api_version = :v AND kind = :k AND namespace = :ns AND name = :n");
            for (int i = 0; i < applied.size(); i++) {
                Intent t = applied.get(i);
                batch.bind("uid", uids.get(i))
                        .bind("rev", revisions.get(i))
                        .bind("c", clusterId)
                        .bind("v", t.apiVersion())
                        .bind("k", t.kind())
                        .bind("ns", t.namespace() == null ? "" : t.namespace())
                        .bind("n", t.name())
                        .add();
            }
            batch.execute();
        });
    }

    /** What is recorded for {@code clusterId} (a cluster id or an add-on key), in order. */
    public List<InventoryItem> list(String clusterId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT seq, api_version, kind, namespace, name, uid, revision "
                        + "FROM infra_inventory WHERE cluster_id = :c ORDER BY seq")
                .bind("c", clusterId)
                .map((rs, ctx) -> new InventoryItem(
                        rs.getInt("seq"),
                        rs.getString("api_version"),
                        rs.getString("kind"),
                        rs.getString("namespace").isEmpty() ? null : rs.getString("namespace"),
                        rs.getString("name"),
                        rs.getString("uid"),
                        rs.getString("revision")))
                .list());
    }

    /** Forgets one recorded object (deleted on its own, like a route). */
    public void forget(String clusterId, String apiVersion, String kind, String namespace, String name) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM infra_inventory WHERE cluster_id = :c AND api_version = :v "
                        + "AND kind = :k AND namespace = :ns AND name = :n")
                .bind("c", clusterId)
                .bind("v", apiVersion)
                .bind("k", kind)
                .bind("ns", namespace == null ? "" : namespace)
                .bind("n", name)
                .execute());
    }

    /** Forgets everything recorded for {@code clusterId} (its infrastructure was removed). */
    public void clear(String clusterId) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM infra_inventory WHERE cluster_id = :c")
                .bind("c", clusterId)
                .execute());
    }
}
