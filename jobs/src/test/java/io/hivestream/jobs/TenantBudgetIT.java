package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.operators.admit.Admission;
import io.hivestream.operators.admit.CallBudget;
import io.hivestream.schemas.AgentEvent;
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
 * Two tenants on a real broker and a MiniCluster with the admit stage on. {@code thrifty} has a
 * day's budget that its calls approach: each task's call is checked against what the tenant has
 * left before it is made, and the first call whose estimated price would cross it is not made, so
 * the tenant never spends more than its budget; its tasks are REJECTED from then on, with the
 * price, the spend and the budget. {@code capped} publishes twelve tasks at once with a budget for
 * five and a {@code maxUsdPerTask} of one task's price: five run, each holding its share, and the
 * others wait and are then rejected, so that tasks in flight together do not cross the budget
 * either. Every task of {@code rich}, which may have two in flight, completes.
 */
class TenantBudgetIT extends KafkaJobCase {
    /** Three calls' estimates (0.00104 USD each) would not fit; one call costs 0.00006 USD. */
    private static final double BUDGET = 0.0012;

    /** At most 50 output tokens: a call's estimate is 4 input and 50 output tokens. */
    private static final int MAX_TOKENS = 50;

    private static final int RICH = 8;

    /** What one capped task costs, and is estimated at: 4 input and 1 output token. */
    private static final double CAPPED_PRICE = 4 * 0.01 / 1000 + 1 * 0.02 / 1000;

    private static final int CAPPED = 12;
    private static final int CAPPED_FIT = 5;

    @Test
    void aTenantIsStoppedBeforeItsBudgetWhileTheOtherCompletes(@TempDir Path checkpoints)
            throws Exception {
        AgentEvent agent = Agents.simulated("m-budget", List.of("math"), 0.01);
        agent.setMaxTokens(MAX_TOKENS);
        agent.setTenants(List.of("thrifty", "rich"));
        fixture.register(agent);
        AgentEvent exact = Agents.simulated("m-exact", List.of("math"), 0.01);
        exact.setMaxTokens(1);
        exact.setTenants(List.of("capped"));
        fixture.register(exact);
        fixture.register(
                Tenant.newBuilder()
                        .setTenant("capped")
                        .setBudgetUsdPerDay(CAPPED_FIT * CAPPED_PRICE)
                        .setMaxUsdPerTask(CAPPED_PRICE)
                        .build());
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
        for (int i = 0; i < CAPPED; i++) {
            fixture.sendJson(
                    KafkaJobFixture.TASKS,
                    "c" + i,
                    "{\"taskId\":\"c"
                            + i
                            + "\",\"tenant\":\"capped\",\"kind\":\"math\","
                            + "\"input\":\"What is 6 * 7?\"}");
        }
        // One thrifty task at a time, until a call is refused.
        List<String> thrifty = new ArrayList<>();
        for (int i = 0; i < 40 && !rejectedAny(thrifty); i++) {
            String id = "t" + i;
            thrifty.add(id);
            sendThrifty(id);
            await().pollInterval(Duration.ofMillis(200))
                    .atMost(Duration.ofMinutes(2))
                    .until(() -> ids(fixture.results()).contains(id));
        }
        // And two more after it: what is left stays too little.
        for (String id : List.of("late1", "late2")) {
            thrifty.add(id);
            sendThrifty(id);
        }
        await().pollInterval(Duration.ofMillis(300))
                .atMost(Duration.ofMinutes(2))
                .until(() -> fixture.results().size() == RICH + CAPPED + thrifty.size());
        stop(job);

        List<TaskResult> results = fixture.results();
        assertThat(results).hasSize(RICH + CAPPED + thrifty.size());
        Map<String, TaskResult> byId =
                results.stream()
                        .collect(Collectors.toMap(TaskResult::getTaskId, Function.identity()));
        for (int i = 0; i < RICH; i++) {
            TaskResult rich = byId.get("r" + i);
            assertThat(rich.getStatus()).as("r" + i).isEqualTo(TaskStatus.COMPLETED);
            assertThat(rich.getOutput()).isEqualTo(Integer.toString(i + 1));
        }

        // Capped: five shares fit; the tasks that waited for a share are rejected once the five
        // tasks' cost is booked (or, when the booked sum falls a rounding short of the budget, the
        // last crumb is too little for a call).
        List<TaskResult> capped =
                results.stream().filter(r -> r.getTenant().equals("capped")).toList();
        assertThat(capped)
                .filteredOn(r -> r.getStatus() == TaskStatus.COMPLETED)
                .hasSize(CAPPED_FIT)
                .allSatisfy(r -> assertThat(r.getCostUsd()).isEqualTo(CAPPED_PRICE));
        assertThat(capped)
                .filteredOn(r -> r.getStatus() == TaskStatus.REJECTED)
                .hasSize(CAPPED - CAPPED_FIT)
                .allSatisfy(r -> assertThat(r.getCostUsd()).isZero());

        // Thrifty's tasks complete until the first refusal, and are all refused after it.
        double estimate = CallBudget.estimate(agent, "What is 6 * 7?");
        int first = -1;
        List<Double> spentBefore = new ArrayList<>(List.of(0.0));
        double spent = 0;
        for (int i = 0; i < thrifty.size(); i++) {
            TaskResult result = byId.get(thrifty.get(i));
            if (result.getStatus() == TaskStatus.REJECTED) {
                first = first < 0 ? i : first;
            } else {
                assertThat(first).as(thrifty.get(i) + " after a rejection").isNegative();
                assertThat(result.getStatus()).isEqualTo(TaskStatus.COMPLETED);
                assertThat(result.getCostUsd()).isEqualTo(0.00006, within(1e-12));
                spent += result.getCostUsd();
                spentBefore.add(spent);
            }
        }
        // At least three calls fit: what was booked of them is all that counts against the budget.
        assertThat(first).isGreaterThanOrEqualTo(3);
        assertThat(spent).isLessThanOrEqualTo(BUDGET);
        // The budget in the reason is what the tenant had left when the task was admitted: the
        // budget less the cost of the tasks before it whose metrics had been read back.
        Set<String> reasons = new HashSet<>();
        for (double booked : spentBefore) {
            reasons.add(
                    "the call to m-budget was not started: its estimated price of "
                            + Admission.usd(estimate)
                            + " would bring the task's spend from 0 USD over its budget of "
                            + Admission.usd(BUDGET - booked));
        }
        for (int i = first; i < thrifty.size(); i++) {
            TaskResult rejected = byId.get(thrifty.get(i));
            assertThat(rejected.getStatus()).isEqualTo(TaskStatus.REJECTED);
            assertThat(rejected.getTenant()).isEqualTo("thrifty");
            assertThat(rejected.getCostUsd()).isZero();
            assertThat(reasons).contains(rejected.getError());
        }
    }

    private void sendThrifty(String id) throws Exception {
        fixture.sendJson(
                KafkaJobFixture.TASKS,
                id,
                "{\"taskId\":\""
                        + id
                        + "\",\"tenant\":\"thrifty\",\"kind\":\"math\","
                        + "\"input\":\"What is 6 * 7?\"}");
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
