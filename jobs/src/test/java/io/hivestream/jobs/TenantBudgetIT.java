package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.operators.admit.Admission;
import io.hivestream.operators.admit.UtcWindows;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.Tenant;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two tenants on a real broker and a MiniCluster with the admit stage on: {@code thrifty} spends
 * its day's budget on its first task and gets REJECTED from then on, with the budget, what it spent
 * and the window, while every task of {@code rich}, which may have two in flight, completes.
 */
class TenantBudgetIT extends KafkaJobCase {
    private static final double BUDGET = 0.000001;
    private static final int RICH = 8;

    @Test
    void aTenantOverItsBudgetIsRejectedWhileTheOtherCompletes(@TempDir Path checkpoints)
            throws Exception {
        fixture.register(Agents.simulated("m-budget", List.of("math"), 0.01));
        fixture.register(
                Tenant.newBuilder().setTenant("thrifty").setBudgetUsdPerDay(BUDGET).build());
        fixture.register(Tenant.newBuilder().setTenant("rich").setMaxInFlight(2).build());
        Configuration conf = fixture.jobConf(checkpoints, false, false);
        conf.set(HivestreamOptions.AGENT_WAIT, Duration.ofMinutes(1));
        conf.set(HivestreamOptions.TENANTS_ENFORCE, true);
        conf.set(HivestreamOptions.TENANTS_MAX_WAIT, Duration.ofMinutes(1));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        HivestreamJob.build(
                env, conf, new AgentRuntimes(), Clock.systemUTC(), UnaryOperator.identity());
        JobClient job = env.executeAsync("tenant-budget-it");

        for (int i = 0; i < RICH; i++) {
            fixture.sendJson(
                    KafkaJobFixture.TASKS,
                    "r" + i,
                    "{\"taskId\":\"r"
                            + i
                            + "\",\"tenant\":\"rich\",\"kind\":\"math\","
                            + "\"input\":\"What is "
                            + i
                            + " + 1?\"}");
        }
        // One thrifty task at a time, until the booked spend turns one away.
        List<String> thrifty = new ArrayList<>();
        for (int i = 0; i < 20 && !rejectedAny(thrifty); i++) {
            String id = "t" + i;
            thrifty.add(id);
            fixture.sendJson(
                    KafkaJobFixture.TASKS,
                    id,
                    "{\"taskId\":\""
                            + id
                            + "\",\"tenant\":\"thrifty\",\"kind\":\"math\","
                            + "\"input\":\"What is 6 * 7?\"}");
            await().pollInterval(Duration.ofMillis(200))
                    .atMost(Duration.ofMinutes(2))
                    .until(() -> ids(fixture.results()).contains(id));
        }
        // And two more after it: the budget stays spent.
        for (String id : List.of("late1", "late2")) {
            thrifty.add(id);
            fixture.sendJson(
                    KafkaJobFixture.TASKS,
                    id,
                    "{\"taskId\":\""
                            + id
                            + "\",\"tenant\":\"thrifty\",\"kind\":\"math\","
                            + "\"input\":\"What is 6 * 7?\"}");
        }
        await().pollInterval(Duration.ofMillis(300))
                .atMost(Duration.ofMinutes(2))
                .until(() -> fixture.results().size() == RICH + thrifty.size());
        job.cancel().get();

        List<TaskResult> results = fixture.results();
        assertThat(results).hasSize(RICH + thrifty.size());
        Map<String, TaskResult> byId =
                results.stream()
                        .collect(Collectors.toMap(TaskResult::getTaskId, Function.identity()));
        for (int i = 0; i < RICH; i++) {
            TaskResult rich = byId.get("r" + i);
            assertThat(rich.getStatus()).as("r" + i).isEqualTo(TaskStatus.COMPLETED);
            assertThat(rich.getOutput()).isEqualTo(Integer.toString(i + 1));
        }
        assertThat(byId.get("t0").getStatus()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(byId.get("t0").getCostUsd()).isGreaterThan(BUDGET);

        // Thrifty's tasks complete until the first rejection, and are all rejected after it.
        int first = -1;
        List<Double> spentBefore = new ArrayList<>();
        double spent = 0;
        for (int i = 0; i < thrifty.size(); i++) {
            TaskResult result = byId.get(thrifty.get(i));
            if (result.getStatus() == TaskStatus.REJECTED) {
                first = first < 0 ? i : first;
            } else {
                assertThat(first).as(thrifty.get(i) + " after a rejection").isNegative();
                assertThat(result.getStatus()).isEqualTo(TaskStatus.COMPLETED);
                spent += result.getCostUsd();
                spentBefore.add(spent);
            }
        }
        assertThat(first).isPositive();
        // The spend in the reason is what was booked: every completed task's cost, or all but the
        // last ones whose metrics had not been read back yet.
        Set<String> reasons = new HashSet<>();
        long completedAt = byId.get(thrifty.get(first)).getCompletedAt();
        for (double booked : spentBefore) {
            reasons.add(
                    "tenant thrifty spent "
                            + Admission.usd(booked)
                            + " of its "
                            + Admission.usd(BUDGET)
                            + " budget for the "
                            + UtcWindows.dayName(completedAt)
                            + "; the task was not started");
        }
        for (int i = first; i < thrifty.size(); i++) {
            TaskResult rejected = byId.get(thrifty.get(i));
            assertThat(rejected.getStatus()).isEqualTo(TaskStatus.REJECTED);
            assertThat(rejected.getTenant()).isEqualTo("thrifty");
            assertThat(rejected.getCostUsd()).isZero();
            assertThat(reasons).contains(rejected.getError());
        }
    }

    private static boolean rejectedAny(List<String> ids) {
        Set<String> wanted = new HashSet<>(ids);
        return fixture.results().stream()
                .anyMatch(
                        r ->
                                wanted.contains(r.getTaskId())
                                        && r.getStatus() == TaskStatus.REJECTED);
    }

    private static Set<String> ids(List<TaskResult> results) {
        return results.stream().map(TaskResult::getTaskId).collect(Collectors.toSet());
    }
}
