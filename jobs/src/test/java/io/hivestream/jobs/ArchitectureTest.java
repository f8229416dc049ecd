package io.hivestream.jobs;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the module dependency direction of the architecture: schemas ← operators ← connectors ←
 * jobs, and schemas ← client (the client module checks its own side in ClientArchitectureTest).
 */
class ArchitectureTest {
    static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes =
                new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("io.hivestream");
    }

    @Test
    void schemasDependOnNothingOfOurs() {
        noClasses()
                .that()
                .resideInAPackage("io.hivestream.schemas..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.hivestream.operators..",
                        "io.hivestream.connectors..",
                        "io.hivestream.jobs..",
                        "io.hivestream.client..",
                        "io.hivestream.loadtests..")
                .check(classes);
    }

    @Test
    void operatorsDependOnlyOnSchemas() {
        noClasses()
                .that()
                .resideInAPackage("io.hivestream.operators..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.hivestream.connectors..",
                        "io.hivestream.jobs..",
                        "io.hivestream.client..",
                        "io.hivestream.loadtests..")
                .check(classes);
    }

    @Test
    void connectorsDoNotDependOnJobs() {
        noClasses()
                .that()
                .resideInAPackage("io.hivestream.connectors..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.hivestream.jobs..",
                        "io.hivestream.client..",
                        "io.hivestream.loadtests..")
                .check(classes);
    }

    @Test
    void jobsDoNotDependOnLoadTests() {
        noClasses()
                .that()
                .resideInAPackage("io.hivestream.jobs..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.hivestream.client..", "io.hivestream.loadtests..")
                .check(classes);
    }

    @Test
    void stagesDoNotDependOnEachOtherInCycles() {
        slices().matching("io.hivestream.operators.(*)..").should().beFreeOfCycles().check(classes);
    }
}
