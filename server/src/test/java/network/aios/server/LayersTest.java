package network.aios.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The server's layers, as the build enforces them: HTTP maps requests and failures and nothing
 * else; services decide and never know about HTTP; stores are reached through services; fabric8
 * stays where member clusters are worked on. A package without a place here fails the build, so a
 * new one is placed deliberately.
 */
class LayersTest {
    static final String ROOT = "network.aios.server";
    /** Services: the domain's decisions. */
    static final Set<String> SERVICES = Set.of(
            "addons",
            "audit",
            "auth",
            "clusters",
            "engine",
            "health",
            "infra",
            "nodes",
            "policy",
            "pull",
            "quotas",
            "security");
    /** Every package and what it is. */
    static final Set<String> KNOWN = Set.of(
            "",
            "http",
            "domain",
            "runtime",
            "engine",
            "addons",
            "audit",
            "auth",
            "clusters",
            "health",
            "infra",
            "nodes",
            "policy",
            "pull",
            "quotas",
            "security");

    static final JavaClasses SERVER = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    private static String[] services() {
        return SERVICES.stream().map(p -> ROOT + "." + p + "..").toArray(String[]::new);
    }

    @Test
    void servicesNeverDependOnHttp() {
        noClasses()
                .that()
                .resideInAnyPackage(services())
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(ROOT + ".http..", "io.javalin..")
                .because("services throw DomainException; only http chooses statuses and reads requests")
                .check(SERVER);
    }

    @Test
    void theDomainVocabularyDependsOnNothingOfTheServer() {
        noClasses()
                .that()
                .resideInAPackage(ROOT + ".domain..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(services())
                .check(SERVER);
        noClasses()
                .that()
                .resideInAPackage(ROOT + ".domain..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(ROOT + ".http..")
                .check(SERVER);
    }

    @Test
    void routesReachStoresOnlyThroughServices() {
        noClasses()
                .that()
                .resideInAPackage(ROOT + ".http..")
                .should()
                .callMethodWhere(com.tngtech.archunit.core.domain.JavaCall.Predicates.target(
                        com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner(
                                com.tngtech.archunit.base.DescribedPredicate.describe(
                                        "a store",
                                        (JavaClass c) -> c.getPackageName().equals("network.aios.store")
                                                && (c.getSimpleName().endsWith("Store")
                                                        || c.getSimpleName().equals("Database"))))))
                .because("a route reads and writes through the service that checks who may")
                .check(SERVER);
        noClasses()
                .that()
                .resideInAPackage(ROOT + ".http..")
                .should()
                .callConstructorWhere(com.tngtech.archunit.core.domain.JavaCall.Predicates.target(
                        com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner(
                                com.tngtech.archunit.base.DescribedPredicate.describe(
                                        "a store",
                                        (JavaClass c) -> c.getSimpleName().endsWith("Store")))))
                .check(SERVER);
    }

    /**
     * The job engine is built once in the composition root and reached through {@code engine.Engine}; it never
     * reaches back up: no HTTP, and none of the request services that queue its jobs (it may use the store, auth's
     * tokens and security's keys, which are below it).
     */
    @Test
    void theEngineNeverDependsOnHttpOrTheRequestServices() {
        noClasses()
                .that()
                .resideInAPackage(ROOT + ".engine..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        ROOT + ".http..",
                        "io.javalin..",
                        ROOT + ".infra..",
                        ROOT + ".pull..",
                        ROOT + ".nodes..",
                        ROOT + ".clusters..",
                        ROOT + ".addons..",
                        ROOT + ".health..",
                        ROOT + ".policy..",
                        ROOT + ".quotas..",
                        ROOT + ".audit..")
                .check(SERVER);
    }

    @Test
    void fabric8OnlyWhereMemberClustersAreWorkedOn() {
        noClasses()
                .that()
                .resideOutsideOfPackages(ROOT + ".infra..", ROOT + ".engine..")
                .and()
                .doNotHaveFullyQualifiedName(ROOT + ".ControlPlane")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.fabric8..")
                .because("member clusters are reached through infra's ClusterOps")
                .check(SERVER);
    }

    @Test
    void everyPackageHasAPlaceInTheseRules() {
        Set<String> packages = SERVER.stream()
                .map(JavaClass::getPackageName)
                .map(p -> p.equals(ROOT) ? "" : p.substring(ROOT.length() + 1).split("\\.")[0])
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(packages).as("a new package needs its place in LayersTest").isSubsetOf(KNOWN);
    }
}
