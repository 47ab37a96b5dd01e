package network.aios.agent;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the pull agent comes by its credential: the one an earlier run kept, else the bootstrap token exchanged,
 * once, with the uid of the cluster's {@code kube-system} namespace (which tells the control plane which
 * cluster this is, and that the same cluster comes back). The token is forgotten as soon as it is spent or
 * refused. A refusal (401) is final; no answer, or a 5xx, is tried again after the loop's backoff.
 */
final class PullJoin {
    private static final Logger LOG = LoggerFactory.getLogger(PullJoin.class);

    /** What the role does next. */
    interface Outcome {
        void joined();

        void stop(String state, int exitCode);
    }

    private final KubernetesClient kube;
    private final PullSettings.BootstrapToken bootstrap;
    private final PullCredentials credentials;
    private final PullStatus status;
    private final PullLoop loop;
    private final Outcome outcome;

    PullJoin(
            KubernetesClient kube,
            PullSettings.BootstrapToken bootstrap,
            PullCredentials credentials,
            PullStatus status,
            PullLoop loop,
            Outcome outcome) {
        this.kube = kube;
        this.bootstrap = bootstrap;
        this.credentials = credentials;
        this.status = status;
        this.loop = loop;
        this.outcome = outcome;
    }

    void begin() {
        try {
            if (credentials.loadKept()) {
                bootstrap.forget(); // a kept credential means the token was spent
                LOG.info("using the pull credential kept in {}", credentials.where());
                outcome.joined();
                return;
            }
        } catch (IOException e) {
            loop.problem("cannot read the pull credential from " + credentials.where() + ": " + e.getMessage());
            loop.retry(this::begin);
            return;
        }
        exchange();
    }

    /** {@code POST /exchange}. */
    private void exchange() {
        String token = bootstrap.value();
        if (token == null) {
            LOG.error(
                    "no pull credential in {} and no bootstrap token (--bootstrap-token-file or AIOS_BOOTSTRAP_TOKEN)",
                    credentials.where());
            outcome.stop("no-credential", 2);
            return;
        }
        status.state("exchanging");
        String uid = kubeSystemUid();
        if (uid == null) {
            loop.problem("namespace kube-system cannot be read: its uid identifies the cluster");
            loop.retry(this::exchange);
            return;
        }
        PullClient.Answer a;
        try {
            a = credentials.exchange(token, uid);
        } catch (IOException e) {
            loop.unreachable("exchange", e);
            loop.retry(this::exchange);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        loop.answered();
        if (a.status() == 201) {
            bootstrap.forget();
            status.clusterId(a.json().path("clusterId").asString(null));
            LOG.info(
                    "exchanged the bootstrap token: cluster {}, join {}; the pull credential is kept in {}",
                    a.json().path("clusterId").asString("?"),
                    a.json().path("state").asString("?"),
                    credentials.where());
            outcome.joined();
        } else if (a.status() == 401) {
            bootstrap.forget();
            LOG.error(
                    "the control plane refused the bootstrap token ({}): it is unknown, used, expired or revoked; "
                            + "ask the cluster's owner for a new join",
                    a.reason());
            outcome.stop("bootstrap-refused", 1);
        } else if (a.status() >= 500 || a.status() == 429) {
            loop.problem("exchange: " + a.reason());
            loop.retry(this::exchange);
        } else {
            LOG.error("the control plane refused the exchange ({}): stopping", a.reason());
            outcome.stop("exchange-refused", 1);
        }
    }

    private String kubeSystemUid() {
        try {
            Namespace ns = kube.namespaces().withName("kube-system").get();
            return ns == null ? null : ns.getMetadata().getUid();
        } catch (KubernetesClientException e) {
            return null;
        }
    }
}
