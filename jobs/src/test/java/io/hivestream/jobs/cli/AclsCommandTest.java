package io.hivestream.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AclsCommandTest {
    @Test
    void theJobsAclsAreItsTopicsGroupsAndTransactionalIdsOnly() {
        CliRunner.Run run =
                CliRunner.run(
                        "acls",
                        "--bootstrap",
                        "127.0.0.1:1",
                        "--principal",
                        "User:hivestream",
                        "--dry-run");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out())
                .isEqualTo(
                        String.join(
                                "\n",
                                "would allow User:hivestream READ on TOPIC hivestream.tasks",
                                "would allow User:hivestream WRITE on TOPIC hivestream.tasks",
                                "would allow User:hivestream DESCRIBE on TOPIC hivestream.tasks",
                                "would allow User:hivestream READ on TOPIC hivestream.agents",
                                "would allow User:hivestream DESCRIBE on TOPIC hivestream.agents",
                                "would allow User:hivestream READ on TOPIC hivestream.metrics",
                                "would allow User:hivestream WRITE on TOPIC hivestream.metrics",
                                "would allow User:hivestream DESCRIBE on TOPIC hivestream.metrics",
                                "would allow User:hivestream WRITE on TOPIC hivestream.results",
                                "would allow User:hivestream DESCRIBE on TOPIC hivestream.results",
                                "would allow User:hivestream WRITE on TOPIC hivestream.dlq",
                                "would allow User:hivestream DESCRIBE on TOPIC hivestream.dlq",
                                "would allow User:hivestream READ on TOPIC hivestream.calls",
                                "would allow User:hivestream WRITE on TOPIC hivestream.calls",
                                "would allow User:hivestream DESCRIBE on TOPIC hivestream.calls",
                                "would allow User:hivestream READ on GROUP hivestream",
                                "would allow User:hivestream READ on GROUP hivestream-agents",
                                "would allow User:hivestream READ on GROUP hivestream-metrics",
                                "would allow User:hivestream WRITE on TRANSACTIONAL_ID hivestream-* (prefix)",
                                "would allow User:hivestream DESCRIBE on TRANSACTIONAL_ID hivestream-* (prefix)",
                                ""));
    }

    @Test
    void theJobsOwnTopicsGroupAndPrefixComeFromItsOptions(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("job.properties");
        Files.writeString(
                conf,
                "hivestream.topics.results=team-a.results\n"
                        + "hivestream.kafka.group-id=team-a\n"
                        + "hivestream.kafka.transactional-id-prefix=team-a-tx\n");

        CliRunner.Run run =
                CliRunner.run(
                        "acls",
                        "--bootstrap",
                        "127.0.0.1:1",
                        "--principal",
                        "User:team-a",
                        "--config",
                        conf.toString(),
                        "--dry-run");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out())
                .isEqualTo(
                        String.join(
                                "\n",
                                "would allow User:team-a READ on TOPIC hivestream.tasks",
                                "would allow User:team-a WRITE on TOPIC hivestream.tasks",
                                "would allow User:team-a DESCRIBE on TOPIC hivestream.tasks",
                                "would allow User:team-a READ on TOPIC hivestream.agents",
                                "would allow User:team-a DESCRIBE on TOPIC hivestream.agents",
                                "would allow User:team-a READ on TOPIC hivestream.metrics",
                                "would allow User:team-a WRITE on TOPIC hivestream.metrics",
                                "would allow User:team-a DESCRIBE on TOPIC hivestream.metrics",
                                "would allow User:team-a WRITE on TOPIC team-a.results",
                                "would allow User:team-a DESCRIBE on TOPIC team-a.results",
                                "would allow User:team-a WRITE on TOPIC hivestream.dlq",
                                "would allow User:team-a DESCRIBE on TOPIC hivestream.dlq",
                                "would allow User:team-a READ on TOPIC hivestream.calls",
                                "would allow User:team-a WRITE on TOPIC hivestream.calls",
                                "would allow User:team-a DESCRIBE on TOPIC hivestream.calls",
                                "would allow User:team-a READ on GROUP team-a",
                                "would allow User:team-a READ on GROUP team-a-agents",
                                "would allow User:team-a READ on GROUP team-a-metrics",
                                "would allow User:team-a WRITE on TRANSACTIONAL_ID team-a-tx-* (prefix)",
                                "would allow User:team-a DESCRIBE on TRANSACTIONAL_ID team-a-tx-* (prefix)",
                                ""));
        CliRunner.Run bad =
                CliRunner.run("acls", "--bootstrap", "127.0.0.1:1", "--principal", "team-a");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.out()).isEmpty();
        assertThat(bad.err())
                .isEqualTo(
                        "error: --principal takes TYPE:NAME, e.g. User:hivestream; got 'team-a'\n");
    }

    @Test
    void enforcedTenantsAddTheTenantsTopicAndGroup(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("job.properties");
        Files.writeString(conf, "hivestream.tenants.enforce=true\n");

        CliRunner.Run run =
                CliRunner.run(
                        "acls",
                        "--bootstrap",
                        "127.0.0.1:1",
                        "--principal",
                        "User:hivestream",
                        "--config",
                        conf.toString(),
                        "--dry-run");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out())
                .isEqualTo(
                        String.join(
                                "\n",
                                "would allow User:hivestream READ on TOPIC hivestream.tasks",
                                "would allow User:hivestream WRITE on TOPIC hivestream.tasks",
                                "would allow User:hivestream DESCRIBE on TOPIC hivestream.tasks",
                                "would allow User:hivestream READ on TOPIC hivestream.agents",
                                "would allow User:hivestream DESCRIBE on TOPIC hivestream.agents",
                                "would allow User:hivestream READ on TOPIC hivestream.metrics",
                                "would allow User:hivestream WRITE on TOPIC hivestream.metrics",
                                "would allow User:hivestream DESCRIBE on TOPIC hivestream.metrics",
                                "would allow User:hivestream WRITE on TOPIC hivestream.results",
                                "would allow User:hivestream DESCRIBE on TOPIC hivestream.results",
                                "would allow User:hivestream WRITE on TOPIC hivestream.dlq",
                                "would allow User:hivestream DESCRIBE on TOPIC hivestream.dlq",
                                "would allow User:hivestream READ on TOPIC hivestream.calls",
                                "would allow User:hivestream WRITE on TOPIC hivestream.calls",
                                "would allow User:hivestream DESCRIBE on TOPIC hivestream.calls",
                                "would allow User:hivestream READ on TOPIC hivestream.tenants",
                                "would allow User:hivestream DESCRIBE on TOPIC hivestream.tenants",
                                "would allow User:hivestream READ on GROUP hivestream",
                                "would allow User:hivestream READ on GROUP hivestream-agents",
                                "would allow User:hivestream READ on GROUP hivestream-metrics",
                                "would allow User:hivestream READ on GROUP hivestream-tenants",
                                "would allow User:hivestream WRITE on TRANSACTIONAL_ID hivestream-* (prefix)",
                                "would allow User:hivestream DESCRIBE on TRANSACTIONAL_ID hivestream-* (prefix)",
                                ""));
    }

    @Test
    void tenantsFromTheTopicAddAPrefixedReadOfTheTenantsTasksTopics(@TempDir Path dir)
            throws Exception {
        Path conf = dir.resolve("job.properties");
        Files.writeString(
                conf, "hivestream.tenants.source=TOPIC\nhivestream.topics.tasks=team-a.tasks\n");

        CliRunner.Run run =
                CliRunner.run(
                        "acls",
                        "--bootstrap",
                        "127.0.0.1:1",
                        "--principal",
                        "User:hivestream",
                        "--config",
                        conf.toString(),
                        "--dry-run");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out())
                .isEqualTo(
                        String.join(
                                "\n",
                                "would allow User:hivestream READ on TOPIC team-a.tasks",
                                "would allow User:hivestream WRITE on TOPIC team-a.tasks",
                                "would allow User:hivestream DESCRIBE on TOPIC team-a.tasks",
                                "would allow User:hivestream READ on TOPIC hivestream.agents",
                                "would allow User:hivestream DESCRIBE on TOPIC hivestream.agents",
                                "would allow User:hivestream READ on TOPIC hivestream.metrics",
                                "would allow User:hivestream WRITE on TOPIC hivestream.metrics",
                                "would allow User:hivestream DESCRIBE on TOPIC hivestream.metrics",
                                "would allow User:hivestream WRITE on TOPIC hivestream.results",
                                "would allow User:hivestream DESCRIBE on TOPIC hivestream.results",
                                "would allow User:hivestream WRITE on TOPIC hivestream.dlq",
                                "would allow User:hivestream DESCRIBE on TOPIC hivestream.dlq",
                                "would allow User:hivestream READ on TOPIC hivestream.calls",
                                "would allow User:hivestream WRITE on TOPIC hivestream.calls",
                                "would allow User:hivestream DESCRIBE on TOPIC hivestream.calls",
                                "would allow User:hivestream READ on TOPIC team-a.tasks.* (prefix)",
                                "would allow User:hivestream DESCRIBE on TOPIC team-a.tasks.* (prefix)",
                                "would allow User:hivestream READ on GROUP hivestream",
                                "would allow User:hivestream READ on GROUP hivestream-agents",
                                "would allow User:hivestream READ on GROUP hivestream-metrics",
                                "would allow User:hivestream WRITE on TRANSACTIONAL_ID hivestream-* (prefix)",
                                "would allow User:hivestream DESCRIBE on TRANSACTIONAL_ID hivestream-* (prefix)",
                                ""));
    }

    @Test
    void routingExamplesAddAWriteOfTheirTopic(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("job.properties");
        Files.writeString(
                conf,
                "hivestream.route.examples=true\n"
                        + "hivestream.topics.routing-examples=team-a.examples\n");

        CliRunner.Run run =
                CliRunner.run(
                        "acls",
                        "--bootstrap",
                        "127.0.0.1:1",
                        "--principal",
                        "User:hivestream",
                        "--config",
                        conf.toString(),
                        "--dry-run");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out().lines().filter(line -> line.contains("team-a.examples")))
                .containsExactly(
                        "would allow User:hivestream WRITE on TOPIC team-a.examples",
                        "would allow User:hivestream DESCRIBE on TOPIC team-a.examples");
        assertThat(run.out().lines().toList())
                .hasSize(22)
                .element(15)
                .isEqualTo("would allow User:hivestream WRITE on TOPIC team-a.examples");
    }
}
