package network.aios.server.security;

import java.time.Clock;
import network.aios.store.SigningKeyStore;
import network.aios.tls.AgentCa;

/**
 * The network's agent CA, kept like the grant key: created once per network, its certificate
 * public and its private key sealed in the database (every replica issues with the same CA). It
 * issues each member cluster's serving certificate; only that certificate and its key leave the
 * control plane (to that cluster), and the CA certificate to whoever talks to agents.
 */
public final class AgentCertificates {
    static final String PURPOSE = "agent-ca";
    private final AgentCa ca;
    private final Clock clock;

    private AgentCertificates(AgentCa ca, Clock clock) {
        this.ca = ca;
        this.clock = clock;
    }

    public static AgentCertificates load(SigningKeyStore store, SecretBox box, Clock clock) {
        NetworkKeys.Pair keys = NetworkKeys.loadOrCreate(store, box, PURPOSE, clock, () -> {
            // a random name tells this network's CA apart from every other network's
            AgentCa created = AgentCa.create("network " + java.util.UUID.randomUUID(), clock.instant());
            return new NetworkKeys.Pair(created.certificateDer(), created.privateKeyPkcs8());
        });
        return new AgentCertificates(AgentCa.load(keys.publicPart(), keys.privatePart()), clock);
    }

    /** The CA certificate (PEM, public): what clients of the agents trust. */
    public String caPem() {
        return ca.certificatePem();
    }

    /** {@code current} if it still serves this identity, else a new certificate. */
    public AgentCa.Issued ensure(AgentCa.Issued current, String identity) {
        return stillServes(current, identity) ? current : ca.issue(identity, clock.instant());
    }

    /** Whether {@code current} is this CA's for the identity and not due for renewal. */
    public boolean stillServes(AgentCa.Issued current, String identity) {
        return ca.stillServes(current, identity, clock.instant());
    }
}
