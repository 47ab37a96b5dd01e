package network.aios.agent;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;

/** What every role works with: its settings, the member cluster's API, the control plane, the time. */
record AgentContext(AgentConfig config, KubernetesClient kube, ControlPlaneClient controlPlane, Clock clock) {}
