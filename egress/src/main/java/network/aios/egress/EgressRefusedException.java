package network.aios.egress;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A connection the egress guard refused. An {@link UnknownHostException} so that it passes through
 * resolvers and HTTP clients unchanged; its message names the host and the rule, never a response.
 */
public final class EgressRefusedException extends UnknownHostException {
    private final String reason;

    public EgressRefusedException(String host, InetAddress address, String reason) {
        super("refused by the egress guard: " + host
                + (address == null || address.getHostAddress().equals(host)
                        ? ""
                        : " (" + address.getHostAddress() + ")")
                + ": " + reason);
        this.reason = reason;
    }

    /** The rule that refused it, e.g. "it is a loopback address". */
    public String reason() {
        return reason;
    }

    /** The refusal anywhere in a chain of causes, if there is one. */
    public static java.util.Optional<EgressRefusedException> in(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof EgressRefusedException e) {
                return java.util.Optional.of(e);
            }
            for (Throwable s : c.getSuppressed()) {
                if (s instanceof EgressRefusedException e) {
                    return java.util.Optional.of(e);
                }
            }
        }
        return java.util.Optional.empty();
    }
}
