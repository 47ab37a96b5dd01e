package network.aios.agent;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import network.aios.member.LocalKubeconfig;
import org.junit.jupiter.api.Test;

/**
 * Kubeconfigs are parsed once, by our strict parser, and fabric8 configurations are built by hand from
 * the result in one class. Nothing in the product (this module's classpath holds every module but the
 * CLI) may call fabric8's own kubeconfig loading, auto-configuration, or its kubeconfig utilities: they
 * would parse text a second time, run exec plugins, or read files and the environment. One exception: the
 * kubeconfig of whoever runs a program on their own machine ({@link LocalKubeconfig}, in {@code infra}) is
 * read as kubectl reads it; here only {@link AgentMain} (the agent's own {@code --kubeconfig}) may use that
 * class, so no text that reached the control plane can get there. The CLI's classes are not on this
 * classpath: {@code cli/NoOwnerTextToFabric8CliTest} holds the same rules over the CLI, whose owner helpers
 * ({@code aios cluster init}, {@code label-nodes}) are the other user of {@link LocalKubeconfig}.
 */
class NoOwnerTextToFabric8Test {
    private static final JavaClasses PRODUCT = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("-tests.jar")) // other modules' test fixtures
            .importPackages("network.aios");

    private static final String LOCAL = LocalKubeconfig.class.getName();

    @Test
    void noClassLoadsAKubeconfigThroughFabric8() {
        noClasses()
                .that()
                .doNotHaveFullyQualifiedName(LOCAL)
                .should()
                .callMethod(Config.class, "fromKubeconfig", String.class, String.class, String.class)
                .because("only a local user's own kubeconfig (LocalKubeconfig) is read by fabric8's loader")
                .check(PRODUCT);
        noClasses()
                .should()
                .callMethod(Config.class, "fromKubeconfig", String.class)
                .orShould()
                .callMethod(Config.class, "fromKubeconfig", java.io.File.class)
                .orShould()
                .callMethod(Config.class, "fromKubeconfig", String.class, java.io.File.class)
                .orShould()
                .callMethod(Config.class, "autoConfigure", String.class)
                .orShould()
                .callMethod(Config.class, "refresh")
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName("io.fabric8.kubernetes.client.internal.KubeConfigUtils")
                .orShould()
                .callMethodWhere(new DescribedPredicate<JavaMethodCall>("parse with fabric8's Serialization") {
                    @Override
                    public boolean test(JavaMethodCall call) {
                        return call.getTargetOwner()
                                        .getFullName()
                                        .equals("io.fabric8.kubernetes.client.utils.Serialization")
                                && call.getName().startsWith("unmarshal");
                    }
                })
                .because("owner text must never reach fabric8's kubeconfig loader (exec plugins, file paths)")
                .check(PRODUCT);
    }

    @Test
    void onlyTheAgentsStartReadsALocalKubeconfig() {
        com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes()
                .that()
                .haveFullyQualifiedName(LOCAL)
                .should()
                .onlyBeAccessed()
                .byClassesThat(com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf(
                        AgentMain.class, LocalKubeconfig.class))
                .check(PRODUCT);
    }

    @Test
    void onlyKubeconfigsBuildsAClientConfiguration() {
        noClasses()
                .that()
                .doNotHaveFullyQualifiedName("network.aios.member.Kubeconfigs")
                .should()
                .callConstructor(ConfigBuilder.class)
                .orShould()
                .callConstructor(ConfigBuilder.class, Config.class)
                .orShould()
                .callMethod(Config.class, "empty")
                .because("a Config built elsewhere could start from auto-configuration")
                .check(PRODUCT);
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
