package network.aios.policy;

import java.util.List;

/** The outcome of a pre-check: allowed, denied (with every failed rule's message), or the executor failed. */
public record Decision(Outcome outcome, List<String> reasons) {
    public enum Outcome {
        ALLOWED,
        DENIED,
        EXECUTOR_FAILED
    }

    public static Decision allowed() {
        return new Decision(Outcome.ALLOWED, List.of());
    }

    public boolean isAllowed() {
        return outcome == Outcome.ALLOWED;
    }
}
