package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flink's Prometheus reporter, as {@code deploy/local} and the demo turn it on, scraped over HTTP
 * while the job runs: the job's call, token, cost and in-flight metrics carry exactly the values
 * the results on Kafka add up to.
 */
class PrometheusScrapeIT extends KafkaJobCase {
    static final JobMetrics METRICS = jobMetrics("prometheus-scrape-it");

    @Test
    void theJobsCallTokenCostAndInFlightMetricsAreScrapedWithTheirValues(@TempDir Path dir)
            throws Exception {
        fixture.register(Agents.simulated("m-a", List.of("math"), 0.002));
        int tasks = 30;
        for (int i = 0; i < tasks; i++) {
            fixture.sendJson(
                    KafkaJobFixture.TASKS,
                    "prom-" + i,
                    "{\"taskId\":\"prom-"
                            + i
                            + "\",\"kind\":\"math\",\"input\":\""
                            + i
                            + " + 7\"}");
        }
        Configuration conf = fixture.jobConf(dir, false, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        HivestreamJob.build(env, conf, new AgentRuntimes(), Clock.systemUTC(), t -> t);
        JobClient job = env.executeAsync("prometheus-scrape-it");
        Map<String, Double> scraped;
        try {
            await().pollInterval(Duration.ofMillis(500))
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> fixture.results().size() >= tasks);
            // The reporter reads the counters when scraped; the job is still running.
            try {
                await().pollInterval(Duration.ofMillis(200))
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> METRICS.sums().getOrDefault("agentCalls", 0.0) >= tasks);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError(
                        "the reporter did not show "
                                + tasks
                                + " agent calls; its page:\n"
                                + METRICS.lastPage()
                                        .lines()
                                        .filter(
                                                l ->
                                                        l.contains("agentCalls")
                                                                || l.contains("operator_"))
                                        .limit(40)
                                        .collect(java.util.stream.Collectors.joining("\n"))
                                + "\n("
                                + METRICS.lastPage().length()
                                + " characters)",
                        e);
            }
            scraped = METRICS.sums(METRICS.lastPage());
        } finally {
            job.cancel().get();
        }

        List<TaskResult> results = fixture.results();
        assertThat(results).hasSize(tasks).allMatch(r -> r.getStatus() == TaskStatus.COMPLETED);
        long tokensIn = results.stream().mapToLong(TaskResult::getTokensIn).sum();
        long tokensOut = results.stream().mapToLong(TaskResult::getTokensOut).sum();
        long costMicroUsd =
                results.stream().mapToLong(r -> Math.round(r.getCostUsd() * 1_000_000)).sum();
        assertThat(tokensIn).isPositive();
        assertThat(scraped)
                .containsEntry("agentCalls", (double) tasks)
                .containsEntry("agentCallFailures", 0.0)
                .containsEntry("agentCallRetries", 0.0)
                .containsEntry("tokensIn", (double) tokensIn)
                .containsEntry("tokensOut", (double) tokensOut)
                .containsEntry("costMicroUsd", (double) costMicroUsd)
                .containsEntry("callsInFlight", 0.0)
                .containsEntry("decoded@decode_tasks", (double) tasks)
                .containsEntry("results", (double) tasks)
                .containsEntry("deadLetters", 0.0);
    }
}
