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
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flink's Prometheus reporter, as {@code deploy/local} and the demo turn it on, scraped over HTTP
 * while the job runs: the job's call, token, cost and in-flight metrics, in total and per agent,
 * carry exactly the values the results on Kafka add up to, and every metric the Grafana dashboard
 * queries is one the reporter exports.
 */
class PrometheusScrapeIT extends KafkaJobCase {
    static final JobMetrics METRICS = jobMetrics("prometheus-scrape-it");

    private static final int MATH = 20;
    private static final int CHAT = 10;

    @Test
    void theJobsCallTokenCostInFlightAndAgentMetricsAreScrapedWithTheirValues(@TempDir Path dir)
            throws Exception {
        fixture.register(Agents.simulated("m-a", List.of("math"), 0.002));
        fixture.register(Agents.simulated("c-a", List.of("chat"), 0.001));
        int tasks = MATH + CHAT;
        for (int i = 0; i < MATH; i++) {
            fixture.sendJson(
                    KafkaJobFixture.TASKS,
                    "prom-" + i,
                    "{\"taskId\":\"prom-"
                            + i
                            + "\",\"kind\":\"math\",\"input\":\""
                            + i
                            + " + 7\"}");
        }
        for (int i = 0; i < CHAT; i++) {
            fixture.sendJson(
                    KafkaJobFixture.TASKS,
                    "prom-chat-" + i,
                    "{\"taskId\":\"prom-chat-" + i + "\",\"input\":\"hello number " + i + "\"}");
        }
        Configuration conf = fixture.jobConf(dir, false, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        HivestreamJob.build(env, conf, new AgentRuntimes(), Clock.systemUTC(), t -> t);
        JobClient job = env.executeAsync("prometheus-scrape-it");
        Map<String, Double> scraped;
        String page;
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
                                        .collect(Collectors.joining("\n"))
                                + "\n("
                                + METRICS.lastPage().length()
                                + " characters)",
                        e);
            }
            page = METRICS.lastPage();
            scraped = METRICS.sums(page);
        } finally {
            stop(job);
        }

        List<TaskResult> results = fixture.results();
        assertThat(results).hasSize(tasks).allMatch(r -> r.getStatus() == TaskStatus.COMPLETED);
        assertThat(results).allSatisfy(r -> assertThat(r.getAgents()).containsExactly(agentOf(r)));
        assertThat(results.stream().filter(r -> agentOf(r).equals("m-a"))).hasSize(MATH);
        assertThat(results.stream().filter(r -> agentOf(r).equals("c-a"))).hasSize(CHAT);
        assertThat(tokensIn(results, "m-a")).isPositive();
        assertThat(tokensIn(results, "c-a")).isPositive();
        assertThat(scraped)
                .containsEntry("agentCalls", (double) tasks)
                .containsEntry("agentCallFailures", 0.0)
                .containsEntry("agentCallRetries", 0.0)
                .containsEntry("tokensIn", (double) tokensIn(results, null))
                .containsEntry("tokensOut", (double) tokensOut(results, null))
                .containsEntry("costMicroUsd", (double) costMicroUsd(results, null))
                .containsEntry("callsInFlight", 0.0)
                .containsEntry("decoded@decode_tasks", (double) tasks)
                .containsEntry("results", (double) tasks)
                .containsEntry("deadLetters", 0.0);
        for (String agent : List.of("m-a", "c-a")) {
            int calls = agent.equals("m-a") ? MATH : CHAT;
            // The reporter writes label values with _ for what Prometheus names do not allow.
            String label = "[" + agent.replace('-', '_') + "]";
            assertThat(scraped)
                    .as("the metrics of agent %s", agent)
                    .containsEntry("agent_calls" + label, (double) calls)
                    .containsEntry("agent_failures" + label, 0.0)
                    .containsEntry("agent_tokensIn" + label, (double) tokensIn(results, agent))
                    .containsEntry("agent_tokensOut" + label, (double) tokensOut(results, agent))
                    .containsEntry(
                            "agent_costMicroUsd" + label, (double) costMicroUsd(results, agent))
                    .containsEntry("agent_callsInFlight" + label, 0.0);
        }
        assertThat(scraped)
                .containsEntry("agent_calls", (double) tasks)
                .containsEntry("agent_costMicroUsd", (double) costMicroUsd(results, null));

        Set<String> exported = JobMetrics.names(page);
        Set<String> queried = PromQl.dashboardMetricNames();
        Set<String> missing = new TreeSet<>(queried);
        missing.removeAll(exported);
        assertThat(queried).isNotEmpty();
        assertThat(missing)
                .withFailMessage(
                        "%s queries metrics the job does not export: %s%nthe operator metrics"
                                + " on the reporter's page (Kafka's left out): %s",
                        PromQl.DASHBOARD,
                        missing,
                        exported.stream()
                                .filter(n -> n.startsWith("flink_taskmanager_job_task_operator_"))
                                .filter(n -> !n.contains("Kafka"))
                                .toList())
                .isEmpty();
    }

    private static String agentOf(TaskResult result) {
        return result.getKind().equals("math") ? "m-a" : "c-a";
    }

    /** Over the results of {@code agent}'s tasks, or of all with null. */
    private static long tokensIn(List<TaskResult> results, String agent) {
        return results.stream()
                .filter(r -> agent == null || agentOf(r).equals(agent))
                .mapToLong(TaskResult::getTokensIn)
                .sum();
    }

    private static long tokensOut(List<TaskResult> results, String agent) {
        return results.stream()
                .filter(r -> agent == null || agentOf(r).equals(agent))
                .mapToLong(TaskResult::getTokensOut)
                .sum();
    }

    /** Each result's cost in millionths of a dollar, as its one call booked it, summed. */
    private static long costMicroUsd(List<TaskResult> results, String agent) {
        return results.stream()
                .filter(r -> agent == null || agentOf(r).equals(agent))
                .mapToLong(r -> Math.round(r.getCostUsd() * 1_000_000))
                .sum();
    }
}
