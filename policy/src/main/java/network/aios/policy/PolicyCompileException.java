package network.aios.policy;

import java.util.List;
import network.aios.api.FieldError;

/** A policy that cannot be used: each problem located by a JSON pointer into the submitted policy. */
public final class PolicyCompileException extends Exception {
    private final List<FieldError> errors;

    public PolicyCompileException(List<FieldError> errors) {
        super("policy is invalid: " + errors);
        this.errors = List.copyOf(errors);
    }

    public List<FieldError> errors() {
        return errors;
    }
}
