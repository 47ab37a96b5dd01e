package network.aios.member;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The desired state is a pure value, by package: everything in {@code network.aios.member.desired} is built from
 * the document, settings and secrets it is given — no client, clock, environment, network, database or server. The
 * member-cluster side (ClusterOps, preflight, kubeconfig intake) stays in {@code network.aios.member} and may use
 * the desired package, never the other way round. A new builder is held to this by where it lives.
 */
class LayeringTest {
    private static final com.tngtech.archunit.core.domain.JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("network.aios.member");

    /** The client, but for its serialization utility (model objects to JSON/YAML, no connection). */
    private static final DescribedPredicate<JavaClass> CLIENT = DescribedPredicate.describe(
            "the fabric8 client (not its Serialization utility)",
            c -> c.getPackageName().startsWith("io.fabric8.kubernetes.client")
                    && !c.getPackageName().equals("io.fabric8.kubernetes.client.utils"));

    @Test
    void theDesiredStateImportsNoClientNetworkDatabaseOrServer() {
        noClasses()
                .that()
                .resideInAPackage("network.aios.member.desired..")
                .should()
                .dependOnClassesThat(CLIENT)
                .orShould()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "java.sql..", "java.net..", "java.nio.file..", "network.aios.server..", "network.aios.store..")
                .orShould()
                .dependOnClassesThat()
                .resideInAPackage("network.aios.member") // the member-cluster side: ClusterOps, Preflight, ...
                .check(CLASSES);
    }

    @Test
    void theDesiredStateReadsNoClockAndNoEnvironment() {
        noClasses()
                .that()
                .resideInAPackage("network.aios.member.desired..")
                .should()
                .dependOnClassesThat()
                .haveFullyQualifiedName(java.time.Clock.class.getName())
                .orShould()
                .callMethod(System.class, "currentTimeMillis")
                .orShould()
                .callMethod(System.class, "nanoTime")
                .orShould()
                .callMethod(System.class, "getenv", String.class)
                .orShould()
                .callMethod(System.class, "getenv")
                .orShould()
                .callMethod(System.class, "getProperty", String.class)
                .orShould()
                .callMethod(java.time.Instant.class, "now")
                .check(CLASSES);
    }
}
