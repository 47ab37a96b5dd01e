package network.aios.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EgressGuardTest {
    private final EgressGuard strict = EgressGuard.strict();

    @ParameterizedTest
    @ValueSource(
            strings = {
                "127.0.0.1",
                "127.1.2.3",
                "::1",
                "0.0.0.0",
                "::",
                "169.254.169.254",
                "169.254.1.1",
                "fe80::1",
                "fd00:ec2::254",
                "100.100.100.200",
                "168.63.129.16",
                "224.0.0.1",
                "::ffff:127.0.0.1",
                "::127.0.0.1",
                "64:ff9b::a9fe:a9fe",
                "0.1.2.3",
                "::ffff:169.254.169.254",
                "::ffff:0:7f00:1",
                "fd20:ce::254",
                "fd00:c1::a9fe:a9fe",
                "64:ff9b:1::a9fe:a9fe"
            })
    void refusesLoopbackLinkLocalMetadataAndUnspecified(String literal) throws Exception {
        InetAddress a = InetAddress.getByName(literal);
        assertThat(strict.refusal(a, 443)).as(literal).isNotNull();
        assertThatThrownBy(() -> strict.resolve(literal, 443))
                .isInstanceOf(EgressRefusedException.class)
                .hasMessageContaining("refused by the egress guard");
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.5", "192.168.1.10", "172.16.0.1", "8.8.8.8", "2001:db8::1", "100.64.0.1"})
    void letsMemberClusterAddressesThrough(String literal) throws Exception {
        assertThat(strict.refusal(InetAddress.getByName(literal), 6443))
                .as(literal)
                .isNull();
    }

    @Test
    void anAllowListOpensARangeButNeverTheOwnListener() throws Exception {
        EgressGuard g = EgressGuard.of(List.of("127.0.0.0/8"), () -> 8080);
        assertThat(g.refusal(InetAddress.getByName("127.0.0.1"), 16443)).isNull();
        assertThat(g.refusal(InetAddress.getByName("127.0.0.1"), 8080)).contains("own listener");
        assertThat(g.refusal(InetAddress.getByName("169.254.169.254"), 80)).contains("link-local");
    }

    @Test
    void theHostsOwnAddressesAreRefusedEvenInsideAnAllowedRange() throws Exception {
        // every non-loopback address of this machine's interfaces (CI's has at least one)
        List<InetAddress> own = new java.util.ArrayList<>();
        for (java.net.NetworkInterface i :
                java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress a : java.util.Collections.list(i.getInetAddresses())) {
                if (!a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                    own.add(a);
                }
            }
        }
        assertThat(own).as("this machine's own addresses").isNotEmpty();
        EgressGuard everything = EgressGuard.of(List.of("0.0.0.0/0", "::/0"), () -> 0);
        for (InetAddress a : own) {
            assertThat(everything.refusal(a, 5432)).as(a.toString()).contains("control plane's own host");
        }
        assertThat(everything.refusal(InetAddress.getByName("10.255.255.254"), 443))
                .as("any other address in the range")
                .isNull();
    }

    @Test
    void theControlPlanesOwnDatabaseIsRefusedEvenWhenLoopbackIsAllowed() throws Exception {
        EgressGuard g = EgressGuard.of(List.of("127.0.0.0/8"), () -> 8080)
                .withOwnPort(() -> 45432, "the control plane's own database");
        assertThat(g.refusal(InetAddress.getByName("127.0.0.1"), 45432)).contains("own database");
        assertThat(g.refusal(InetAddress.getByName("127.0.0.1"), 8080)).contains("own listener");
        assertThat(g.refusal(InetAddress.getByName("127.0.0.1"), 16443)).isNull();
        assertThat(g.refusal(InetAddress.getByName("10.0.0.9"), 45432))
                .as("another host's")
                .isNull();
    }

    @Test
    void aNameIsRefusedWhenItResolvesToALoopbackAddress() {
        assertThatThrownBy(() -> strict.resolve("localhost", 80))
                .isInstanceOf(EgressRefusedException.class)
                .hasMessageContaining("loopback");
    }

    @Test
    void cidrsParseAndMatch() throws Exception {
        Cidr c = Cidr.parse("10.1.0.0/16");
        assertThat(c.contains(InetAddress.getByName("10.1.200.3"))).isTrue();
        assertThat(c.contains(InetAddress.getByName("10.2.0.1"))).isFalse();
        assertThat(Cidr.parse("10.1.2.3").contains(InetAddress.getByName("10.1.2.3")))
                .isTrue();
        assertThat(Cidr.parse("fd00::/8").contains(InetAddress.getByName("fd12::1")))
                .isTrue();
        assertThatThrownBy(() -> Cidr.parse("example.com/8")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anOperatorCanDenyPrivateRangesAndStillAllowTheMemberClustersOnes() throws Exception {
        EgressGuard g = EgressGuard.of(List.of("10.20.0.0/16"), List.of("10.0.0.0/8", "192.168.0.0/16"), () -> 0);
        assertThat(g.refusal(InetAddress.getByName("10.1.2.3"), 443)).contains("--egress-deny");
        assertThat(g.refusal(InetAddress.getByName("192.168.5.5"), 443)).contains("192.168.0.0/16");
        assertThat(g.refusal(InetAddress.getByName("10.20.1.1"), 443))
                .as("allowed inside a denied range")
                .isNull();
        assertThat(g.refusal(InetAddress.getByName("172.16.0.1"), 443)).isNull();
        assertThat(g.refusal(InetAddress.getByName("127.0.0.1"), 443)).contains("loopback");
        EgressGuard carved = EgressGuard.of(List.of("127.0.0.0/8"), List.of("127.0.0.2/32"), () -> 0);
        assertThat(carved.refusal(InetAddress.getByName("127.0.0.2"), 80)).contains("--egress-deny");
        assertThat(carved.refusal(InetAddress.getByName("127.0.0.3"), 80)).isNull();
    }
}
