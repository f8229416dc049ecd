package io.hivestream.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.connectors.kafka.KafkaClients;
import io.hivestream.connectors.kafka.LocalKafkaCluster;
import io.hivestream.operators.admit.UtcWindows;
import io.hivestream.schemas.CallMetric;
import io.hivestream.schemas.CallOutcome;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.codec.Codecs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./hivestream tenants register|list|show} against a real local broker. */
class TenantsCommandIT {
    static LocalKafkaCluster kafka;

    @BeforeAll
    static void start() throws Exception {
        kafka =
                LocalKafkaCluster.builder()
                        .topic("hivestream.tenants", 1, Map.of("cleanup.policy", "compact"))
                        .topic("hivestream.metrics", 2)
                        .start();
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static Metric call(String tenant, long at, double usd, long in, long out) {
        return Metric.newBuilder()
                .setKind(MetricKind.CALL)
                .setTimestamp(at)
                .setTaskId("t")
                .setAgentId("a")
                .setTenant(tenant)
                .setCall(
                        CallMetric.newBuilder()
                                .setOutcome(CallOutcome.SUCCESS)
                                .setCostUsd(usd)
                                .setTokensIn(in)
                                .setTokensOut(out)
                                .build())
                .build();
    }

    @Test
    void registerListAndShowWithWhatTheMetricsTopicSaysWasSpent(@TempDir Path dir)
            throws Exception {
        String bootstrap = kafka.bootstrapServers();
        Path file = dir.resolve("tenants.json");
        Files.writeString(
                file,
                "[{\"tenant\":\"acme\",\"budgetUsdPerDay\":2.0,\"tokensPerDay\":1000,"
                        + "\"tasksPerSecond\":2.5,\"maxInFlight\":8,\"maxUsdPerTask\":0.05,"
                        + "\"capabilities\":[\"math\"]},"
                        + " {\"tenant\":\"globex\"}]");
        CliRunner.Run registered =
                CliRunner.run("tenants", "register", "--bootstrap", bootstrap, file.toString());
        assertThat(registered.err()).isEmpty();
        assertThat(registered.out()).isEqualTo("registered acme\nregistered globex\n");

        CliRunner.Run listed = CliRunner.run("tenants", "list", "--bootstrap", bootstrap);
        assertThat(listed.exitCode()).isZero();
        String[] lines = listed.out().split("\n");
        assertThat(lines).hasSize(2);
        assertThat(Codecs.TENANT.fromJson(lines[0]).getBudgetUsdPerDay()).isEqualTo(2.0);
        assertThat(Codecs.TENANT.fromJson(lines[1]).getTenant()).isEqualTo("globex");

        long now = System.currentTimeMillis();
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bootstrap)) {
            for (Metric metric :
                    new Metric[] {
                        call("acme", now - 1000, 0.25, 100, 20),
                        call("acme", now - 500, 0.5, 30, 10),
                        call("globex", now - 500, 7.0, 5, 5),
                        // 40 days ago: another day and another month.
                        call("acme", now - Duration.ofDays(40).toMillis(), 9.0, 500, 500)
                    }) {
                producer.send(
                                new ProducerRecord<>(
                                        "hivestream.metrics",
                                        null,
                                        Codecs.METRIC.encodeAvro(metric)))
                        .get();
            }
            // Not a metric: left out of the report.
            producer.send(
                            new ProducerRecord<>(
                                    "hivestream.metrics",
                                    null,
                                    "not a metric".getBytes(StandardCharsets.UTF_8)))
                    .get();
        }
        CliRunner.Run shown = CliRunner.run("tenants", "show", "--bootstrap", bootstrap, "acme");
        assertThat(shown.err()).isEmpty();
        String day = UtcWindows.dayName(now);
        String month = UtcWindows.monthName(now);
        assertThat(shown.out())
                .isEqualTo(
                        String.join(
                                "\n",
                                "tenant acme",
                                "  spent today: 0.75 USD of 2 USD, 1.25 USD left in the " + day,
                                "  spent this month: 0.75 USD (no budget) in the " + month,
                                "  tokens today: 160 of 1000, 840 left in the " + day,
                                "  rate: 2.5 tasks per second, burst 3",
                                "  max in flight: 8",
                                "  max per task: 0.05 USD",
                                "  capabilities: math",
                                "  agents: all",
                                "  tools: all",
                                "  preference: the job's",
                                ""));

        CliRunner.Run unknown =
                CliRunner.run("tenants", "show", "--bootstrap", bootstrap, "initech");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err())
                .isEqualTo(
                        "error: tenant initech is not registered on hivestream.tenants; register it"
                                + " with ./hivestream tenants register\n");
    }

    @Test
    void registerRefusesABadRecordNamingTheFieldAndPublishesNothing(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("bad.json");
        Files.writeString(
                file,
                "{\"tenant\":\"ok\"}\n{\"tenant\":\"bad\",\"maxInFlight\":0}\n{\"tenant\":\"x\",\"budget\":1}\n");
        CliRunner.Run run =
                CliRunner.run(
                        "tenants",
                        "register",
                        "--bootstrap",
                        kafka.bootstrapServers(),
                        "--topic",
                        "hivestream.tenants.bad",
                        file.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err())
                .isEqualTo(
                        "error: line 2: invalid tenant bad: maxInFlight is 0; must be 1 or more\n");
        assertThat(run.out()).isEmpty();
    }
}
