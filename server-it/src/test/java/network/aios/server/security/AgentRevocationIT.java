package network.aios.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import network.aios.server.auth.TokenService;
import network.aios.store.Database;
import network.aios.store.TestPostgres;
import network.aios.store.TokenStore;
import org.junit.jupiter.api.Test;

/**
 * Revoking a cluster's agent tokens is part of a removal's outcome transaction: a request verified while that
 * transaction is open still sees the token valid, and must not keep it cached once the revocation commits.
 */
class AgentRevocationIT {
    @Test
    void aRevocationInsideALargerTransactionIsNotUndoneByARequestVerifiedBeforeItCommits() {
        Database db = TestPostgres.freshDatabase(4);
        try {
            TokenService tokens = new TokenService(new TokenStore(db), Clock.systemUTC());
            String token = tokens.issueAgent("c-revoked", "test").token();
            assertThat(tokens.authenticate(token)).isPresent();

            db.jdbi().useTransaction(h -> {
                tokens.revokeAgent("c-revoked");
                // a heartbeat meanwhile, on another connection: the revocation is not committed yet
                assertThat(CompletableFuture.supplyAsync(() -> tokens.authenticate(token))
                                .join())
                        .isPresent();
            });

            assertThat(tokens.authenticate(token))
                    .as("revoked once committed, not served from a cache filled meanwhile")
                    .isEmpty();
        } finally {
            db.close();
        }
    }
}
