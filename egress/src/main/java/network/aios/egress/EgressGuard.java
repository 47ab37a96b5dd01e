package network.aios.egress;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import javax.net.SocketFactory;
import okhttp3.Dns;
import okhttp3.OkHttpClient;

/**
 * The one gate for outbound connections made on a cluster owner's behalf: member API servers named in
 * kubeconfigs, policy executors, add-on health probes, block forwarding. A name is resolved once, every
 * address it resolves to must pass, and the socket connects only to an address that was checked at the
 * moment of connecting (so a second, different DNS answer cannot slip through). Refused by default:
 * loopback, link-local (which holds the clouds' metadata services), other metadata addresses, the
 * unspecified and multicast addresses, and the control plane's own listener. The operator may allow
 * ranges ({@code --egress-allow CIDR}); the control plane's own listener stays refused even then.
 */
public final class EgressGuard {
    /**
     * Metadata services outside the link-local range (Alibaba, Azure's wire server, AWS, GCP and OCI over
     * IPv6), and local-use NAT64 (64:ff9b:1::/48), whose embedded IPv4 address cannot be read reliably.
     */
    private static final List<Cidr> METADATA = List.of(
            Cidr.parse("100.100.100.200/32"),
            Cidr.parse("168.63.129.16/32"),
            Cidr.parse("fd00:ec2::254/128"),
            Cidr.parse("fd20:ce::254/128"),
            Cidr.parse("fd00:c1::a9fe:a9fe/128"),
            Cidr.parse("64:ff9b:1::/48"));

    private final List<Cidr> allowed;
    private final List<Cidr> denied;
    private final IntSupplier selfPort;
    /** Other ports of the control plane's own on this host (its embedded database), refused like the listener. */
    private final List<OwnPort> ownPorts;

    private record OwnPort(IntSupplier port, String what) {}

    /**
     * @param allowed  ranges the operator allows although they would be refused (e.g. 127.0.0.0/8 for a test
     *                 cluster on this machine)
     * @param selfPort the port the control plane listens on (0: none, or not yet known); any local address on
     *                 it is refused
     */
    public EgressGuard(List<Cidr> allowed, IntSupplier selfPort) {
        this(allowed, List.of(), selfPort);
    }

    /**
     * @param denied ranges refused although the defaults let them through (e.g. the control plane's own
     *               private network); between an allowed and a denied range, the more specific one decides
     */
    public EgressGuard(List<Cidr> allowed, List<Cidr> denied, IntSupplier selfPort) {
        this(allowed, denied, selfPort, List.of());
    }

    private EgressGuard(List<Cidr> allowed, List<Cidr> denied, IntSupplier selfPort, List<OwnPort> ownPorts) {
        this.allowed = List.copyOf(allowed);
        this.denied = List.copyOf(denied);
        this.selfPort = selfPort;
        this.ownPorts = List.copyOf(ownPorts);
    }

    /**
     * This guard, also refusing {@code port} (0: none) on every address of this host, whatever range is allowed:
     * another service of the control plane's own there ({@code what}, e.g. "the control plane's own database").
     */
    public EgressGuard withOwnPort(IntSupplier port, String what) {
        List<OwnPort> more = new ArrayList<>(ownPorts);
        more.add(new OwnPort(port, what));
        return new EgressGuard(allowed, denied, selfPort, more);
    }

    /** A guard with the defaults and no allow-list. */
    public static EgressGuard strict() {
        return new EgressGuard(List.of(), () -> 0);
    }

    /** From the operator's {@code --egress-allow} values; throws IllegalArgumentException naming a bad one. */
    public static EgressGuard of(List<String> allowCidrs, IntSupplier selfPort) {
        return of(allowCidrs, List.of(), selfPort);
    }

    /** With the operator's {@code --egress-deny} values too. */
    public static EgressGuard of(List<String> allowCidrs, List<String> denyCidrs, IntSupplier selfPort) {
        return new EgressGuard(parse(allowCidrs), parse(denyCidrs), selfPort);
    }

    private static List<Cidr> parse(List<String> values) {
        List<Cidr> cidrs = new ArrayList<>();
        for (String c : values) {
            cidrs.add(Cidr.parse(c));
        }
        return cidrs;
    }

    /**
     * Resolves {@code host} once and checks every address; refuses the whole name if any address is
     * refused (a name that mixes a public and a loopback answer is an attack, not a configuration).
     */
    public List<InetAddress> resolve(String host, int port) throws UnknownHostException {
        if (host == null || host.isBlank()) {
            throw new UnknownHostException("no host");
        }
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] all = InetAddress.getAllByName(h);
        for (InetAddress a : all) {
            check(host, a, port);
        }
        return List.of(all);
    }

    /** Refuses {@code address} unless the rules let it through. */
    public void check(String host, InetAddress address, int port) throws EgressRefusedException {
        String why = refusal(address, port);
        if (why != null) {
            throw new EgressRefusedException(host, address, why);
        }
    }

    /** Why {@code address}:{@code port} is refused, or null when it may be reached. */
    public String refusal(InetAddress address, int port) {
        InetAddress a = embeddedIpv4(address);
        int self = selfPort.getAsInt();
        if (self > 0 && port == self && isLocal(a)) {
            return "it is the control plane's own listener";
        }
        for (OwnPort own : ownPorts) {
            int p = own.port().getAsInt();
            if (p > 0 && port == p && isLocal(a)) {
                return "it is " + own.what();
            }
        }
        if (!a.isLoopbackAddress() && !a.isAnyLocalAddress() && isLocal(a)) {
            // services bound to 0.0.0.0 on the control plane's host answer there; an allowed range that happens
            // to contain the host (its private network) does not make them owners' to reach
            return "it is an address of the control plane's own host";
        }
        // the operator's ranges: the most specific one that contains the address decides
        Cidr allow = mostSpecific(allowed, a);
        Cidr deny = mostSpecific(denied, a);
        if (deny != null && (allow == null || deny.prefix() >= allow.prefix())) {
            return "it is in " + deny + ", which the operator denies (--egress-deny)";
        }
        if (allow != null) {
            return null;
        }
        if (a.isLoopbackAddress()) {
            return "it is a loopback address";
        }
        if (a.isAnyLocalAddress()) {
            return "it is the unspecified address";
        }
        if (a.isLinkLocalAddress()) {
            return "it is a link-local address (where cloud metadata services live)";
        }
        if (a.isMulticastAddress()) {
            return "it is a multicast address";
        }
        for (Cidr c : METADATA) {
            if (c.contains(a)) {
                return "it is a cloud metadata address";
            }
        }
        if (a instanceof Inet4Address && (a.getAddress()[0] & 0xff) == 0) {
            return "it is in 0.0.0.0/8 (this host)";
        }
        return null;
    }

    private static Cidr mostSpecific(List<Cidr> ranges, InetAddress a) {
        Cidr best = null;
        for (Cidr c : ranges) {
            if (c.contains(a) && (best == null || c.prefix() > best.prefix())) {
                best = c;
            }
        }
        return best;
    }

    /** IPv6 forms that carry an IPv4 address (::a.b.c.d, ::ffff:a.b.c.d, 64:ff9b::a.b.c.d) are judged by it. */
    private static InetAddress embeddedIpv4(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address;
        }
        byte[] b = address.getAddress();
        boolean zeros = true;
        for (int i = 0; i < 10; i++) {
            zeros &= b[i] == 0;
        }
        boolean compat = zeros && (b[10] == 0 && b[11] == 0 || b[10] == (byte) 0xff && b[11] == (byte) 0xff);
        boolean translated = b[0] == 0
                && b[1] == 0
                && b[2] == 0
                && b[3] == 0
                && b[4] == 0
                && b[5] == 0
                && b[6] == 0
                && b[7] == 0
                && b[8] == (byte) 0xff
                && b[9] == (byte) 0xff
                && b[10] == 0
                && b[11] == 0;
        boolean nat64 = b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b;
        boolean allZero = zeros && b[10] == 0 && b[11] == 0 && b[12] == 0 && b[13] == 0 && b[14] == 0;
        if ((compat || nat64 || translated) && !allZero) {
            try {
                return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
            } catch (UnknownHostException e) {
                return address;
            }
        }
        return address;
    }

    private static boolean isLocal(InetAddress a) {
        if (a.isLoopbackAddress() || a.isAnyLocalAddress()) {
            return true;
        }
        try {
            return NetworkInterface.getByInetAddress(a) != null;
        } catch (SocketException e) {
            return false;
        }
    }

    /** OkHttp's resolver through this guard. */
    public Dns dns() {
        return hostname -> resolve(hostname, -1);
    }

    /** Sockets that check the address they connect to, whatever resolved it (IP literals included). */
    public SocketFactory socketFactory() {
        return new GuardedSocketFactory();
    }

    /**
     * Applies the guard to an OkHttp client: its resolver and sockets, no proxy (a proxy would make the
     * checked address the proxy's), no redirects (a redirect is a second, unchecked request).
     */
    public OkHttpClient.Builder apply(OkHttpClient.Builder builder) {
        return builder.dns(dns())
                .socketFactory(socketFactory())
                .proxy(Proxy.NO_PROXY)
                .followRedirects(false)
                .followSslRedirects(false);
    }

    /** A new OkHttp client with the guard applied. */
    public OkHttpClient.Builder client() {
        return apply(new OkHttpClient.Builder());
    }

    private final class GuardedSocketFactory extends SocketFactory {
        @Override
        public Socket createSocket() {
            return new GuardedSocket();
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return connected(null, new InetSocketAddress(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return connected(new InetSocketAddress(localHost, localPort), new InetSocketAddress(host, port));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return connected(null, new InetSocketAddress(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return connected(new InetSocketAddress(localAddress, localPort), new InetSocketAddress(address, port));
        }

        /** Every variant ends here: bound if asked, then connected through the guard's check. */
        private Socket connected(InetSocketAddress local, InetSocketAddress remote) throws IOException {
            Socket s = new GuardedSocket();
            if (local != null) {
                s.bind(local);
            }
            s.connect(remote);
            return s;
        }
    }

    private final class GuardedSocket extends Socket {
        @Override
        public void connect(SocketAddress endpoint, int timeout) throws IOException {
            if (!(endpoint instanceof InetSocketAddress isa) || isa.isUnresolved()) {
                throw new EgressRefusedException(String.valueOf(endpoint), null, "it is not a resolved address");
            }
            check(isa.getHostString(), isa.getAddress(), isa.getPort());
            super.connect(endpoint, timeout);
        }
    }
}
