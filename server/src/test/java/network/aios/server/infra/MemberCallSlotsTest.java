package network.aios.server.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import network.aios.server.auth.Principal;
import network.aios.server.domain.DomainException;
import org.junit.jupiter.api.Test;

class MemberCallSlotsTest {
    final MemberCallSlots slots = new MemberCallSlots(2);
    static final Principal ALICE = new Principal("alice", Principal.Role.OWNER, null);
    static final Principal BOB = new Principal("bob", Principal.Role.OWNER, null);

    @Test
    void anOwnerHoldsAtMostItsSlotsAndAnotherOwnerIsNotTouched() {
        List<MemberCallSlots.Slot> held = new ArrayList<>();
        held.add(slots.enter(ALICE));
        held.add(slots.enter(ALICE));
        assertThatThrownBy(() -> slots.enter(ALICE)).isInstanceOfSatisfying(DomainException.class, e -> {
            assertThat(e.kind()).isEqualTo(DomainException.Kind.TOO_MANY_REQUESTS);
            assertThat(e.code()).isEqualTo("too_many_member_calls");
        });
        try (MemberCallSlots.Slot b = slots.enter(BOB)) {
            assertThat(b).isNotNull();
        }
        held.remove(0).close();
        try (MemberCallSlots.Slot again = slots.enter(ALICE)) {
            assertThat(again).as("a slot given back is taken again").isNotNull();
        }
        held.forEach(MemberCallSlots.Slot::close);
    }

    @Test
    void theAdminIsNotLimited() {
        Principal admin = new Principal("admin", Principal.Role.ADMIN, null);
        for (int i = 0; i < 10; i++) {
            slots.enter(admin);
        }
    }
}
