package network.aios.member;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.fabric8.kubernetes.client.Config;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import network.aios.api.FieldError;
import network.aios.api.Json;
import network.aios.api.kubeconfig.Kubeconfig;
import network.aios.api.kubeconfig.KubeconfigException;
import network.aios.api.kubeconfig.KubeconfigParser;

/**
 * Coverage-guided fuzzing of kubeconfig intake, from the owner's text to the fabric8 configuration the
 * control plane would connect with. Acceptable: our refusal, each reason at a pointer; or a kubeconfig
 * whose client configuration says what the owner's text said (server, CA, one credential) and nothing
 * else: no file, no plugin, no proxy, no impersonation, no trust-all unless the operator allowed it; and
 * whose sealed form (our canonical JSON, read back with the operator's permission when a job needs it)
 * reads back as the same kubeconfig. Jazzer's own sanitizers flag any process started (command injection)
 * meanwhile.
 */
class KubeconfigFuzzTest {
    private static final KubeconfigParser STRICT = new KubeconfigParser(false);
    /** What an operator who allows insecure kubeconfigs gets, and what reads back a sealed kubeconfig. */
    private static final KubeconfigParser ALLOWING_INSECURE = new KubeconfigParser(true);

    @FuzzTest(maxDuration = "60s")
    void parsesOrRefusesAndNeverReachesFilesOrPlugins(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        Kubeconfig strict = parse(STRICT, text);
        Kubeconfig allowing = parse(ALLOWING_INSECURE, text);
        if (strict != null) {
            assertThat(strict.server().getScheme()).as("the scheme by default").isEqualToIgnoringCase("https");
            assertThat(strict.insecure())
                    .as("TLS verification skipped by default")
                    .isFalse();
            assertThat(allowing)
                    .as("allowing insecure kubeconfigs changes nothing in a secure one")
                    .isEqualTo(strict);
        }
        if (allowing == null) {
            return;
        }
        assertThat(allowing.server().getScheme().toLowerCase(java.util.Locale.ROOT))
                .isIn("https", "http");
        connectsAsWritten(allowing, Kubeconfigs.config(allowing));
        // what InfraService seals while a job needs it, and MemberAccess opens again
        Kubeconfig sealed = parse(ALLOWING_INSECURE, allowing.canonicalJson());
        assertThat(sealed).as("the sealed form read back").isEqualTo(allowing);
    }

    /** The parsed kubeconfig, or null if refused (then each reason is at a pointer under the field). */
    private static Kubeconfig parse(KubeconfigParser parser, String text) {
        try {
            return parser.parse(Json.MAPPER.getNodeFactory().stringNode(text), "/k");
        } catch (KubeconfigException refused) {
            assertThat(refused.errors()).as("a refusal says why").isNotEmpty();
            for (FieldError e : refused.errors()) {
                assertThat(e.path()).as("a JSON pointer under /k").matches("/k(/([^~]|~[01])*)*");
                assertThat(e.message()).as("message at %s", e.path()).isNotBlank();
            }
            return null;
        }
    }

    /** The client configuration connects where the kubeconfig says, trusting and presenting what it says. */
    private static void connectsAsWritten(Kubeconfig kc, Config c) {
        String server = kc.server().toString();
        assertThat(c.getMasterUrl()).as("master URL").isEqualTo(server.endsWith("/") ? server : server + "/");
        URI master = URI.create(c.getMasterUrl());
        assertThat(master.getScheme()).isEqualToIgnoringCase(kc.server().getScheme());
        assertThat(master.getHost()).isEqualTo(kc.server().getHost());
        assertThat(master.getPort()).isEqualTo(kc.server().getPort());
        // whom to trust: the kubeconfig's CA (or the JVM's), never all, unless insecure was allowed and asked for
        assertThat(c.getCaCertData()).as("CA").isEqualTo(kc.caData());
        assertThat(c.isTrustCerts()).as("trust all certificates").isEqualTo(kc.insecure());
        assertThat(c.isDisableHostnameVerification())
                .as("skip host name checks")
                .isEqualTo(kc.insecure());
        // who we are: exactly the kubeconfig's one credential
        assertThat(c.getOauthToken()).as("token").isEqualTo(kc.token());
        assertThat(c.getClientCertData()).as("client certificate").isEqualTo(kc.clientCertData());
        assertThat(c.getClientKeyData()).as("client key").isEqualTo(kc.clientKeyData());
        assertThat(c.getUsername()).as("user name").isEqualTo(kc.username());
        assertThat(c.getPassword()).as("password").isEqualTo(kc.password());
        assertThat(c.getNamespace()).as("namespace").isEqualTo(kc.namespace());
        // and nothing the builder never sets, whatever fabric8's defaults or this machine's settings: no plugin
        // that runs or fetches something for a credential, no file, no one to impersonate, no proxy
        assertThat(c.getAuthProvider()).as("auth provider").isNull();
        assertThat(c.getOauthTokenProvider()).as("token provider").isNull();
        assertThat(c.getFile()).as("kubeconfig file").isNull();
        assertThat(c.getCaCertFile()).as("CA file").isNull();
        assertThat(c.getClientCertFile()).as("client certificate file").isNull();
        assertThat(c.getClientKeyFile()).as("client key file").isNull();
        assertThat(c.getTrustStoreFile()).as("trust store").isNull();
        assertThat(c.getKeyStoreFile()).as("key store").isNull();
        assertThat(c.getImpersonateUsername()).as("impersonated user").isNull();
        assertThat(c.getImpersonateGroups()).as("impersonated groups").isNullOrEmpty();
        assertThat(c.getImpersonateExtras()).as("impersonation extras").isNullOrEmpty();
        assertThat(c.getHttpProxy()).as("http proxy").isNull();
        assertThat(c.getHttpsProxy()).as("https proxy").isNull();
    }
}
