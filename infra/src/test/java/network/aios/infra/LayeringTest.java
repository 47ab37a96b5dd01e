package network.aios.infra;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The desired-state builders are pure: model classes only, never the client, JDBC or the server. */
class LayeringTest {
    @Test
    void buildersImportNoClient() {
        var classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("network.aios.infra");
        noClasses()
                .that()
                .haveSimpleNameStartingWith("DesiredState")
                .or()
                .haveSimpleName("InfraNames")
                .or()
                .haveSimpleName("AgentRole")
                .or()
                .haveSimpleName("InfraSettings")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.fabric8.kubernetes.client..",
                        "java.sql..",
                        "java.net..",
                        "network.aios.server..",
                        "network.aios.store..")
                .check(classes);
    }
}
