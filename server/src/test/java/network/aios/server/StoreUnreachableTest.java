package network.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

/** A request that failed because the database is away is told so (503), not given an internal error. */
class StoreUnreachableTest {
    @Test
    void connectionFailuresAnywhereInTheChainAreTheStoresOthersAreNot() {
        assertThat(network.aios.server.http.Http.storeUnreachable(new IllegalStateException(
                        "jdbi", new SQLTransientConnectionException("aios - Connection is not available"))))
                .isTrue();
        assertThat(network.aios.server.http.Http.storeUnreachable(
                        new RuntimeException(new SQLException("refused", "08001"))))
                .isTrue();
        assertThat(network.aios.server.http.Http.storeUnreachable(new SQLException("terminating connection", "57P01")))
                .isTrue();
        assertThat(network.aios.server.http.Http.storeUnreachable(new SQLException("duplicate key", "23505")))
                .isFalse();
        assertThat(network.aios.server.http.Http.storeUnreachable(new NullPointerException()))
                .isFalse();
    }
}
