package network.aios.store;

import java.util.List;

/**
 * A page of a listing: its rows, and whether more may follow (continue after the last one). Listings that can
 * hold large rows are cut by bytes as well as by count, by the database ({@link #budgeted}), so a page of
 * large rows never reaches this process whole.
 */
public record Page<T>(List<T> items, boolean more) {
    /**
     * {@code sql} (a query ending in {@code ORDER BY <order> LIMIT :limit}) wrapped so that the database returns
     * its rows only while the running sum of {@code size} (an expression over its columns, as {@code p.<col>})
     * stays within {@code :budget}; the first row always comes. The result adds the columns {@code running},
     * {@code n} and {@code fetched} (how many rows the inner query gave: more than returned, or the limit,
     * means more may follow).
     */
    static String budgeted(String sql, String order, String size) {
        return "SELECT * FROM (SELECT p.*, sum(" + size + ") OVER (ORDER BY " + order + ") AS running, "
                + "row_number() OVER (ORDER BY " + order + ") AS n, count(*) OVER () AS fetched FROM (" + sql
                + ") p) w WHERE running <= :budget OR n = 1 ORDER BY " + order;
    }

    /** The page of {@code rows} read by a {@link #budgeted} query whose inner query gave {@code fetched} rows. */
    static <T> Page<T> of(List<T> rows, long fetched, int limit) {
        return new Page<>(rows, rows.size() < fetched || fetched == limit);
    }
}
