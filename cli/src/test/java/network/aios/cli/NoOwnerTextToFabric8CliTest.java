package network.aios.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import network.aios.member.LocalKubeconfig;
import org.junit.jupiter.api.Test;

/**
 * The agent module's {@code NoOwnerTextToFabric8Test}, over what it cannot see: the CLI (this classpath holds every
 * module but the agent, the server included, which runs in the same launcher). fabric8's kubeconfig loader is called
 * by {@link LocalKubeconfig} alone, and here only the owner's helpers ({@link OwnerCluster}) use it, on the owner's
 * own machine; a fabric8 configuration is built by hand in {@code member/Kubeconfigs} alone. So no kubeconfig sent to
 * the control plane ({@code aios server}) reaches the loader.
 */
class NoOwnerTextToFabric8CliTest {
    private static final JavaClasses PRODUCT = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("-tests.jar")) // other modules' test fixtures
            .importPackages("network.aios");

    @Test
    void onlyLocalKubeconfigCallsFabric8sLoader() {
        noClasses()
                .that()
                .doNotHaveFullyQualifiedName(LocalKubeconfig.class.getName())
                .should()
                .callMethod(Config.class, "fromKubeconfig", String.class, String.class, String.class)
                .orShould()
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
                .because("owner text sent to the control plane must never reach fabric8's kubeconfig loader")
                .check(PRODUCT);
    }

    @Test
    void onlyTheOwnersHelpersReadALocalKubeconfig() {
        classes()
                .that()
                .haveFullyQualifiedName(LocalKubeconfig.class.getName())
                .should()
                .onlyBeAccessed()
                .byClassesThat(JavaClass.Predicates.belongToAnyOf(OwnerCluster.class, LocalKubeconfig.class))
                .because("the server runs in this launcher too, and must never read a kubeconfig this way")
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
                .check(PRODUCT);
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
