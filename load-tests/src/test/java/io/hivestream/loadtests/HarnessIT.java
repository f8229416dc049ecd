package io.hivestream.loadtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hivestream.connectors.kafka.KafkaClients;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The passthrough and the pipeline, a few hundred tasks each, through the harness against a real
 * local broker, each job on a Flink mini cluster: every task's result is counted exactly once. No
 * figure is asserted.
 */
class HarnessIT {
    private static final int TASKS = 300;

    @TempDir static Path directory;
    static Harness harness;

    @BeforeAll
    static void start() throws Exception {
        harness = new Harness(directory, 2, Duration.ofMillis(200), Duration.ofMinutes(2));
    }

    @AfterAll
    static void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void thePassthroughAnswersEveryTaskOnce() throws Exception {
        Harness.Outcome outcome =
                harness.run(
                        new Harness.Spec(
                                "it-passthrough",
                                false,
                                DeliveryGuarantee.EXACTLY_ONCE,
                                0,
                                TaskMix.plain(7),
                                TASKS,
                                0.5,
                                Duration.ZERO,
                                Map.of()),
                        Harness.Profiler.NONE);

        assertThat(outcome.figures().job()).isEqualTo("passthrough");
        assertThat(last(outcome.timeline()).distinct()).isEqualTo(TASKS);
        assertThat(outcome.figures().duplicates()).isZero();
        assertThat(outcome.figures().latency()).isNull();
    }

    @Test
    void thePipelineAnswersEveryTaskOfAMixedLoadOnceAndKeepsUpAFixedRate() throws Exception {
        TaskMix mix = TaskMix.plain(7).withSessions(0.5, 20).withConsensus(0.2, 3).withPlans(0.05);

        Harness.Outcome outcome =
                harness.run(
                        new Harness.Spec(
                                "it-pipeline",
                                true,
                                DeliveryGuarantee.EXACTLY_ONCE,
                                0,
                                mix,
                                TASKS,
                                0.5,
                                Duration.ofSeconds(1),
                                Map.of()),
                        Harness.Profiler.NONE);

        assertThat(outcome.figures().job()).isEqualTo("pipeline");
        assertThat(last(outcome.timeline()).distinct()).isEqualTo(TASKS);
        assertThat(outcome.figures().duplicates()).isZero();
        Figures.Latency latency = outcome.figures().latency();
        assertThat(latency).isNotNull();
        assertThat(outcome.endToEnd().getTotalCount()).isEqualTo(latency.tasks());
    }

    @Test
    void onASecuredBrokerThePipelineRunsAsAUserAllowedExactlyItsAcls(@TempDir Path secured)
            throws Exception {
        try (Harness sasl =
                new Harness(secured, 2, Duration.ofMillis(200), Duration.ofMinutes(2), true)) {
            assertThat(sasl.connection().securityProtocol()).isEqualTo("SASL_SSL");
            Harness.Outcome outcome =
                    sasl.run(
                            new Harness.Spec(
                                    "it-sasl-ssl",
                                    true,
                                    DeliveryGuarantee.EXACTLY_ONCE,
                                    0,
                                    TaskMix.plain(7),
                                    TASKS,
                                    0.5,
                                    Duration.ZERO,
                                    Map.of()),
                            Harness.Profiler.NONE);

            assertThat(last(outcome.timeline()).distinct()).isEqualTo(TASKS);
            assertThat(outcome.figures().duplicates()).isZero();
            // The job's user is no super user: a topic outside its ACLs is refused.
            try (KafkaProducer<byte[], byte[]> producer =
                    KafkaClients.producer(sasl.jobConnection())) {
                assertThatThrownBy(
                                () ->
                                        producer.send(
                                                        new ProducerRecord<>(
                                                                "it-sasl-ssl-elsewhere",
                                                                new byte[] {1}))
                                                .get())
                        .hasCauseInstanceOf(TopicAuthorizationException.class);
            }
        }
    }

    private static LatencyBook.Point last(List<LatencyBook.Point> timeline) {
        return timeline.get(timeline.size() - 1);
    }
}
