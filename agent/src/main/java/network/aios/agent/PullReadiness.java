package network.aios.agent;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Which of the desired set's {@code deployments} are not available yet, as the report says it: {@code name
 * (available/desired)}. A Deployment is available when its available replicas reach its desired ones (an
 * unset {@code replicas} is 1, as the API server defaults it); one that does not exist is {@code name
 * (absent)}.
 */
final class PullReadiness {
    private PullReadiness() {}

    static List<String> notReady(List<String> names, Function<String, Deployment> lookup) {
        List<String> out = new ArrayList<>();
        for (String name : names) {
            Deployment d = lookup.apply(name);
            if (d == null) {
                out.add(name + " (absent)");
                continue;
            }
            int desired = d.getSpec() == null || d.getSpec().getReplicas() == null
                    ? 1
                    : d.getSpec().getReplicas();
            int available = d.getStatus() == null || d.getStatus().getAvailableReplicas() == null
                    ? 0
                    : d.getStatus().getAvailableReplicas();
            if (available < desired) {
                out.add(name + " (" + available + "/" + desired + ")");
            }
        }
        return out;
    }
}
