package network.aios.store;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** The dynamic gateway routes of each cluster. */
public final class GatewayRouteStore {
    private final Jdbi jdbi;

    public GatewayRouteStore(Database db) {
        this.jdbi = db.jdbi();
    }

    public record Route(
            String clusterId,
            String kind,
            String routeId,
            String prefix,
            String service,
            String createdBy,
            Instant createdAt) {}

    /** False if the cluster already has a route of that kind and id, or at that prefix. */
    public boolean insert(Route r) {
        return insert(r, null);
    }

    /**
     * As above, counted against {@code quotaOwner}'s routes per cluster (null: not limited); see
     * {@link QuotaStore}.
     */
    public boolean insert(Route r, String quotaOwner) {
        return jdbi.inTransaction(h -> {
            if (h.createQuery("SELECT 1 FROM gateway_routes WHERE cluster_id = :c "
                            + "AND (kind = :k AND route_id = :r OR prefix = :p)")
                    .bind("c", r.clusterId())
                    .bind("k", r.kind())
                    .bind("r", r.routeId())
                    .bind("p", r.prefix())
                    .mapTo(Integer.class)
                    .findOne()
                    .isPresent()) {
                return false; // taken: a 409 whatever the quota
            }
            QuotaStore.within(h, quotaOwner, "routes", r.clusterId());
            int rows = h.createUpdate("INSERT INTO gateway_routes (cluster_id, kind, route_id, prefix, service, "
                            + "created_by, created_at) VALUES (:c, :k, :r, :p, :s, :by, :at) ON CONFLICT DO NOTHING")
                    .bind("c", r.clusterId())
                    .bind("k", r.kind())
                    .bind("r", r.routeId())
                    .bind("p", r.prefix())
                    .bind("s", r.service())
                    .bind("by", r.createdBy())
                    .bind("at", Timestamp.from(r.createdAt()))
                    .execute();
            if (rows > 0) {
                Audit.write(
                        h,
                        r.createdAt(),
                        r.createdBy(),
                        "route.create",
                        r.clusterId(),
                        "{\"prefix\": \"" + r.prefix() + "\"}");
            }
            return rows > 0;
        });
    }

    public List<Route> list(String clusterId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT cluster_id, kind, route_id, prefix, service, created_by, "
                        + "created_at FROM gateway_routes WHERE cluster_id = :c ORDER BY prefix")
                .bind("c", clusterId)
                .map((rs, ctx) -> new Route(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getTimestamp(7).toInstant()))
                .list());
    }

    public boolean delete(String clusterId, String kind, String routeId, String actor, Instant at) {
        return jdbi.inTransaction(h -> {
            int rows = h.createUpdate(
                            "DELETE FROM gateway_routes WHERE cluster_id = :c AND kind = :k AND route_id = :r")
                    .bind("c", clusterId)
                    .bind("k", kind)
                    .bind("r", routeId)
                    .execute();
            if (rows > 0) {
                Audit.write(
                        h,
                        at,
                        actor,
                        "route.delete",
                        clusterId,
                        "{\"kind\": \"" + kind + "\", \"id\": \"" + routeId + "\"}");
            }
            return rows > 0;
        });
    }

    /** The infrastructure is gone: so are its routes. */
    public void deleteAll(String clusterId) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM gateway_routes WHERE cluster_id = :c")
                .bind("c", clusterId)
                .execute());
    }
}
