package io.hivestream.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.connectors.kafka.LocalKafkaCluster;
import org.junit.jupiter.api.Test;

/** {@code ./hivestream topics} on a broker without the job's topics. */
class TopicsCommandIT {
    @Test
    void createsEveryTopicOfTheJobOnceRoutingExamplesAndModelsIncluded() throws Exception {
        try (LocalKafkaCluster kafka = LocalKafkaCluster.builder().start()) {
            CliRunner.Run first = CliRunner.run("topics", "--bootstrap", kafka.bootstrapServers());
            CliRunner.Run again = CliRunner.run("topics", "--bootstrap", kafka.bootstrapServers());

            assertThat(first.exitCode()).as(first.err()).isZero();
            assertThat(first.out().lines())
                    .containsExactly(
                            "created hivestream.tasks (4 partitions, replication 1)",
                            "created hivestream.results (4 partitions, replication 1)",
                            "created hivestream.agents (1 partitions, replication 1)",
                            "created hivestream.metrics (4 partitions, replication 1)",
                            "created hivestream.dlq (1 partitions, replication 1)",
                            "created hivestream.tenants (1 partitions, replication 1)",
                            "created hivestream.calls (4 partitions, replication 1)",
                            "created hivestream.routing-examples (4 partitions, replication 1)",
                            "created hivestream.models (1 partitions, replication 1)");
            assertThat(again.exitCode()).isZero();
            assertThat(again.out().lines())
                    .hasSize(9)
                    .allSatisfy(line -> assertThat(line).startsWith("exists  hivestream."))
                    .contains("exists  hivestream.routing-examples", "exists  hivestream.models");
        }
    }
}
