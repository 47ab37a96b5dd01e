package network.aios.api.kubeconfig;

import java.util.List;
import network.aios.api.FieldError;

/** A kubeconfig we will not use, each reason at a pointer into what the client sent. */
public final class KubeconfigException extends Exception {
    private final List<FieldError> errors;

    public KubeconfigException(List<FieldError> errors) {
        super("unusable kubeconfig: " + errors);
        this.errors = List.copyOf(errors);
    }

    public List<FieldError> errors() {
        return errors;
    }
}
