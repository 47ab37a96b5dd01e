package network.aios.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import network.aios.member.LocalKubeconfig;
import network.aios.server.security.OwnerTextRules;
import org.junit.jupiter.api.Test;

/**
 * The agent module's {@code NoOwnerTextToFabric8Test}, over what it cannot see: the CLI (this classpath holds every
 * module but the agent, the server included, which runs in the same launcher). fabric8's kubeconfig loader is called
 * by {@link LocalKubeconfig} alone, and here only the owner's helpers ({@link OwnerCluster}) use it, on the owner's
 * own machine; a fabric8 configuration is built by hand in {@code member/Kubeconfigs} alone. So no kubeconfig sent to
 * the control plane ({@code aios server}) reaches the loader.
 */
class NoOwnerTextToFabric8CliTest {
    private static final JavaClasses PRODUCT = OwnerTextRules.product();

    @Test
    void onlyLocalKubeconfigCallsFabric8sLoader() {
        OwnerTextRules.noLoaderButLocal(PRODUCT);
    }

    @Test
    void onlyTheOwnersHelpersReadALocalKubeconfig() {
        // the server runs in this launcher too, and must never read a kubeconfig this way
        OwnerTextRules.localOnlyUsedBy(PRODUCT, OwnerCluster.class, LocalKubeconfig.class);
    }

    @Test
    void onlyKubeconfigsBuildsAClientConfiguration() {
        OwnerTextRules.configurationsOnlyInKubeconfigs(PRODUCT);
    }

    @Test
    void theRulesSeeTheCliAndTheServer() {
        assertThat(PRODUCT.containPackage("network.aios.cli")
                        && PRODUCT.containPackage("network.aios.member")
                        && PRODUCT.containPackage("network.aios.server.infra"))
                .isTrue();
        assertThat(PRODUCT.contain(OwnerCluster.class)).isTrue();
    }
}
