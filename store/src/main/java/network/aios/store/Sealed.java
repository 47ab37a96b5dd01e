package network.aios.store;

/** Bytes sealed by the network's sealing key {@code keyId} (a credential, an owner's kubeconfig, a private key). */
public record Sealed(String keyId, byte[] bytes) {}
