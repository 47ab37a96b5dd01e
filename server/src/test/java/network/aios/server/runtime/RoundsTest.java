package network.aios.server.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class RoundsTest {
    record Item(String owner, int n) {}

    @Test
    void ownersTakeTurnsWhateverHowManyEachHas() {
        List<Item> items = List.of(
                new Item("mallory", 1),
                new Item("mallory", 2),
                new Item("mallory", 3),
                new Item("alice", 1),
                new Item("mallory", 4),
                new Item("bob", 1));
        assertThat(Rounds.interleaved(items, Item::owner))
                .containsExactly(
                        new Item("mallory", 1),
                        new Item("alice", 1),
                        new Item("bob", 1),
                        new Item("mallory", 2),
                        new Item("mallory", 3),
                        new Item("mallory", 4));
    }

    @Test
    void aRoundRunsEveryCallAndReportsAFailure() {
        List<Integer> ran = new CopyOnWriteArrayList<>();
        try (Rounds rounds = new Rounds("test-round", 2)) {
            rounds.run(List.of(() -> ran.add(1), () -> ran.add(2), () -> ran.add(3)));
            assertThat(ran).containsExactlyInAnyOrder(1, 2, 3);
            assertThatThrownBy(() -> rounds.run(List.of(() -> {
                        throw new IllegalArgumentException("boom");
                    })))
                    .hasRootCauseInstanceOf(IllegalArgumentException.class);
        }
    }
}
