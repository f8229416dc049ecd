package io.hivestream.client;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the client a small library on top of schemas: a service that embeds it gets the records and
 * the Kafka clients, never Flink or the job, and nothing of the job depends on it.
 */
class ClientArchitectureTest {
    static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes =
                new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("io.hivestream");
    }

    @Test
    void theClientDependsOnlyOnSchemasAndKafkaClients() {
        noClasses()
                .that()
                .resideInAPackage("io.hivestream.client..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.hivestream.operators..",
                        "io.hivestream.connectors..",
                        "io.hivestream.jobs..",
                        "io.hivestream.loadtests..",
                        "org.apache.flink..")
                .check(classes);
    }

    @Test
    void nothingOfTheJobDependsOnTheClient() {
        noClasses()
                .that()
                .resideInAnyPackage(
                        "io.hivestream.schemas..",
                        "io.hivestream.operators..",
                        "io.hivestream.connectors..",
                        "io.hivestream.jobs..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.hivestream.client..")
                .check(classes);
    }
}
