package network.aios.api;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Documents, validation, names and kubeconfig parsing stay pure: no HTTP, JDBC, Kubernetes client, or server code. */
class LayeringTest {
    @Test
    void apiImportsNoInfrastructure() {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("network.aios.api");
        noClasses()
                .that()
                .resideInAPackage("network.aios.api..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "java.sql..",
                        "javax.sql..",
                        "java.net.http..",
                        "io.javalin..",
                        "io.fabric8..",
                        "org.jdbi..",
                        "org.postgresql..",
                        "network.aios.store..",
                        "network.aios.server..",
                        "network.aios.policy..",
                        "network.aios.cli..")
                .check(classes);
    }
}
