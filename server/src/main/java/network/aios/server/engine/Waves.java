package network.aios.server.engine;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;
import network.aios.member.ClusterOps;
import network.aios.member.Concurrently;

/**
 * Applies a batch of objects in waves: the objects of one wave at once, the waves in order, so that what a
 * later object names exists first — the namespace; ServiceAccounts before their token Secrets; roles before
 * their bindings; configuration and accounts before the workloads that use them (a ReplicaSet whose pods'
 * account is missing, or a kubelet whose Secret is, retries with backoff); Services and workloads before
 * the gateway routes to them. A rollout's 19 applies, one after another, were the longest part of the
 * control plane's own work; in waves they are 4 round trips.
 */
final class Waves {
    private static final String SA_TOKEN = "kubernetes.io/service-account-token";

    private Waves() {}

    /** Tells {@code applied} of each object of the wave that was applied, in order, even if telling one fails. */
    private static void report(
            List<Integer> wave, ClusterOps.Applied[] results, BiConsumer<Integer, ClusterOps.Applied> applied) {
        RuntimeException failed = null;
        for (int k = 0; k < wave.size(); k++) {
            if (results[k] != null) {
                try {
                    applied.accept(wave.get(k), results[k]);
                } catch (RuntimeException e) {
                    failed = failed == null ? e : failed;
                }
            }
        }
        if (failed != null) {
            throw failed;
        }
    }

    private static ClusterOps.Applied doneNormally(Future<ClusterOps.Applied> f) {
        if (!f.isDone() || f.isCancelled()) {
            return null;
        }
        try {
            return f.get();
        } catch (ExecutionException | InterruptedException | java.util.concurrent.CancellationException e) {
            return null;
        }
    }

    /** The wave an object is applied in: lower first. */
    static int of(HasMetadata o) {
        return switch (o.getKind()) {
            case "Namespace", "CustomResourceDefinition" -> 0;
            // a token Secret names its ServiceAccount (the token controller deletes one whose account is missing)
            case "Secret" -> o instanceof Secret s && SA_TOKEN.equals(s.getType()) ? 2 : 1;
            case "RoleBinding", "ClusterRoleBinding", "Service" -> 2;
            case "Deployment", "DaemonSet", "StatefulSet", "Job" -> 2;
            case "Mapping" -> 3;
            default -> 1;
        };
    }

    /**
     * Applies {@code objects}. After each wave, {@code applied} is told (on this thread, in the batch's order)
     * of every object of the wave that was applied; then the wave's first failure, in the batch's order, is
     * thrown and the later waves are not started. Interrupting this thread cancels the wave under way.
     */
    static void apply(ClusterOps ops, List<HasMetadata> objects, BiConsumer<Integer, ClusterOps.Applied> applied) {
        TreeMap<Integer, List<Integer>> waves = new TreeMap<>();
        for (int i = 0; i < objects.size(); i++) {
            waves.computeIfAbsent(of(objects.get(i)), w -> new ArrayList<>()).add(i);
        }
        int n = 0;
        for (List<Integer> wave : waves.values()) {
            String point = "wave " + n++ + " applied"; // the crash tests stop here: applied, not yet recorded
            if (wave.size() == 1) {
                int i = wave.get(0);
                ClusterOps.Applied result = ops.apply(objects.get(i));
                network.aios.server.runtime.Halt.at(point);
                applied.accept(i, result);
                continue;
            }
            List<Future<ClusterOps.Applied>> running = new ArrayList<>();
            for (int i : wave) {
                HasMetadata o = objects.get(i);
                running.add(Concurrently.POOL.submit(() -> ops.apply(o)));
            }
            ClusterOps.Applied[] results = new ClusterOps.Applied[wave.size()];
            RuntimeException first = null;
            try {
                for (int k = 0; k < wave.size(); k++) {
                    try {
                        results[k] = running.get(k).get();
                    } catch (ExecutionException e) {
                        if (first == null) {
                            first = e.getCause() instanceof RuntimeException r
                                    ? r
                                    : new IllegalStateException(e.getCause());
                        }
                    }
                }
            } catch (InterruptedException e) {
                // stop what has not been sent; what finished is still reported, so its uid is recorded
                running.forEach(f -> f.cancel(true));
                for (int k = 0; k < wave.size(); k++) {
                    results[k] = doneNormally(running.get(k));
                }
                report(wave, results, applied);
                Thread.currentThread().interrupt();
                throw new KubernetesClientException("interrupted while applying", e);
            }
            network.aios.server.runtime.Halt.at(point);
            report(wave, results, applied);
            if (first != null) {
                throw first;
            }
        }
    }
}
