package network.aios.agent;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Objects;

/**
 * Watches the Deployments of one namespace while some of the desired set's are not available, so that the
 * pull agent reports again when readiness changes instead of at the next resync. Every event just calls
 * {@code onChange} (the role reads readiness again on its own thread and reports only a difference); the
 * watch is closed once all are available.
 */
final class PullReadinessWatch implements AutoCloseable {
    private final KubernetesClient kube;
    private final Runnable onChange;
    private SharedIndexInformer<Deployment> informer;
    private String namespace;

    PullReadinessWatch(KubernetesClient kube, Runnable onChange) {
        this.kube = kube;
        this.onChange = onChange;
    }

    /** Watching {@code ns} from now on (a watch of another namespace is closed first). */
    synchronized void watch(String ns) {
        if (informer != null && Objects.equals(ns, namespace)) {
            return;
        }
        close();
        namespace = ns;
        informer = kube.apps().deployments().inNamespace(ns).runnableInformer(0);
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Deployment d) {
                onChange.run();
            }

            @Override
            public void onUpdate(Deployment before, Deployment after) {
                onChange.run();
            }

            @Override
            public void onDelete(Deployment d, boolean unknownFinalState) {
                onChange.run();
            }
        });
        informer.start();
    }

    synchronized boolean watching() {
        return informer != null;
    }

    @Override
    public synchronized void close() {
        if (informer != null) {
            informer.close();
            informer = null;
            namespace = null;
        }
    }
}
