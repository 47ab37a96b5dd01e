package network.aios.agent;

import com.tngtech.archunit.core.domain.JavaClasses;
import network.aios.member.LocalKubeconfig;
import network.aios.server.security.OwnerTextRules;
import org.junit.jupiter.api.Test;

/**
 * Kubeconfigs are parsed once, by our strict parser, and fabric8 configurations are built by hand from
 * the result in one class. Nothing in the product (this module's classpath holds every module but the
 * CLI) may call fabric8's own kubeconfig loading, auto-configuration, or its kubeconfig utilities: they
 * would parse text a second time, run exec plugins, or read files and the environment. One exception: the
 * kubeconfig of whoever runs a program on their own machine ({@link LocalKubeconfig}, in {@code member}) is
 * read as kubectl reads it; here only {@link AgentMain} (the agent's own {@code --kubeconfig}) may use that
 * class, so no text that reached the control plane can get there. The CLI's classes are not on this
 * classpath: {@code cli/NoOwnerTextToFabric8CliTest} checks the same rules ({@code server/security/OwnerTextRules}, written once) over the CLI, whose owner helpers
 * ({@code aios cluster init}, {@code label-nodes}) are the other user of {@link LocalKubeconfig}.
 */
class NoOwnerTextToFabric8Test {
    private static final JavaClasses PRODUCT = OwnerTextRules.product();

    @Test
    void noClassLoadsAKubeconfigThroughFabric8() {
        OwnerTextRules.noLoaderButLocal(PRODUCT);
    }

    @Test
    void onlyTheAgentsStartReadsALocalKubeconfig() {
        OwnerTextRules.localOnlyUsedBy(PRODUCT, AgentMain.class, LocalKubeconfig.class);
    }

    @Test
    void onlyKubeconfigsBuildsAClientConfiguration() {
        OwnerTextRules.configurationsOnlyInKubeconfigs(PRODUCT);
    }

    @Test
    void theRulesSeeTheWholeProduct() {
        // a rule over an empty import passes vacuously: make sure the modules are really there
        org.assertj.core.api.Assertions.assertThat(PRODUCT.containPackage("network.aios.member")
                        && PRODUCT.containPackage("network.aios.server.infra")
                        && PRODUCT.containPackage("network.aios.agent")
                        && PRODUCT.containPackage("network.aios.api.kubeconfig"))
                .isTrue();
    }
}
