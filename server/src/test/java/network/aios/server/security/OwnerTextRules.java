package network.aios.server.security;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;

/**
 * The rules that keep owner text away from fabric8's kubeconfig loader, written once and checked over each
 * classpath that can see a part of the product (the agent's, which holds every module but the CLI; the CLI's,
 * which holds every module but the agent): kubeconfigs are parsed once by our strict parser and fabric8
 * configurations built by hand in {@code member/Kubeconfigs}; the one exception, {@code member/LocalKubeconfig},
 * reads the kubeconfig of whoever runs a program on their own machine, and only the classes each module names may
 * use it.
 */
public final class OwnerTextRules {
    public static final String LOCAL = "network.aios.member.LocalKubeconfig";
    public static final String KUBECONFIGS = "network.aios.member.Kubeconfigs";

    private OwnerTextRules() {}

    /** The product's classes on this classpath (no tests, no other modules' test fixtures). */
    public static JavaClasses product() {
        return new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar"))
                .importPackages("network.aios");
    }

    /** Nothing but {@code LocalKubeconfig} calls fabric8's loader, auto-configuration or kubeconfig utilities. */
    public static void noLoaderButLocal(JavaClasses product) {
        noClasses()
                .that()
                .doNotHaveFullyQualifiedName(LOCAL)
                .should()
                .callMethod(Config.class, "fromKubeconfig", String.class, String.class, String.class)
                .because("only a local user's own kubeconfig (LocalKubeconfig) is read by fabric8's loader")
                .check(product);
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
                .check(product);
    }

    /** {@code LocalKubeconfig} is used by {@code users} alone. */
    public static void localOnlyUsedBy(JavaClasses product, Class<?>... users) {
        classes()
                .that()
                .haveFullyQualifiedName(LOCAL)
                .should()
                .onlyBeAccessed()
                .byClassesThat(DescribedPredicate.describe(
                        "LocalKubeconfig itself or " + java.util.Arrays.toString(users),
                        (JavaClass c) -> c.getFullName().equals(LOCAL)
                                || java.util.Arrays.stream(users)
                                        .anyMatch(u -> c.getFullName().equals(u.getName()))))
                .check(product);
    }

    /** A fabric8 configuration is built in {@code Kubeconfigs} alone (one built elsewhere could auto-configure). */
    public static void configurationsOnlyInKubeconfigs(JavaClasses product) {
        noClasses()
                .that()
                .doNotHaveFullyQualifiedName(KUBECONFIGS)
                .should()
                .callConstructor(ConfigBuilder.class)
                .orShould()
                .callConstructor(ConfigBuilder.class, Config.class)
                .orShould()
                .callMethod(Config.class, "empty")
                .because("a Config built elsewhere could start from auto-configuration")
                .check(product);
    }
}
