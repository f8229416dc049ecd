package io.hivestream.jobs.cli;

import io.hivestream.operators.plan.RolePrompts;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.Tier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The demo's agents and sample tasks: simulated agents, and tasks of several kinds made from
 * templates. The cloud agents also work on the steps of plans (research, code, test, review,
 * write); {@code planner-1} plans them and {@code synthesizer-1} writes their answers.
 */
final class DemoData {
    private DemoData() {}

    static final String LABELS = "billing,shipping,technical";
    static final Map<String, String> LABEL_METADATA =
            Map.of(
                    "labels", LABELS,
                    "label.billing", "charge charged refund invoice payment card",
                    "label.shipping", "delivery package parcel shipped arrive courier",
                    "label.technical", "error crash login bug app password");

    static List<AgentEvent> agents() {
        return List.of(
                agent(
                        "edge-classifier-1",
                        Tier.EDGE,
                        0.0001,
                        List.of("classify"),
                        "latencyMs",
                        "40",
                        "latencyJitterMs",
                        "40"),
                agent(
                        "edge-classifier-2",
                        Tier.EDGE,
                        0.0001,
                        List.of("classify"),
                        "latencyMs",
                        "60",
                        "latencyJitterMs",
                        "40"),
                agent(
                        "edge-classifier-3",
                        Tier.EDGE,
                        0.0002,
                        List.of("classify"),
                        "latencyMs",
                        "50",
                        "latencyJitterMs",
                        "40",
                        "accuracy",
                        "0.7",
                        "seed",
                        "3"),
                agent(
                        "edge-byzantine",
                        Tier.EDGE,
                        0.0003,
                        List.of("classify", "math"),
                        "mode",
                        "collude"),
                agent(
                        "edge-math-1",
                        Tier.EDGE,
                        0.0001,
                        List.of("math"),
                        "latencyMs",
                        "30",
                        "latencyJitterMs",
                        "20"),
                agent(
                        "edge-math-2",
                        Tier.EDGE,
                        0.0001,
                        List.of("math"),
                        "latencyMs",
                        "30",
                        "latencyJitterMs",
                        "20"),
                agent(
                        "edge-summarizer",
                        Tier.EDGE,
                        0.0001,
                        List.of("summarize"),
                        "latencyMs",
                        "80",
                        "latencyJitterMs",
                        "40"),
                agent(
                        "cloud-llm-sim",
                        Tier.CLOUD,
                        0.003,
                        List.of("chat", "summarize", "code", "research", "test", "review", "write"),
                        "latencyMs",
                        "400",
                        "latencyJitterMs",
                        "300",
                        "errorRate",
                        "0.1"),
                agent(
                        "cloud-llm-backup",
                        Tier.CLOUD,
                        0.005,
                        List.of("chat", "code", "research", "test", "review", "write"),
                        "latencyMs",
                        "600",
                        "latencyJitterMs",
                        "300"),
                agent(
                        "planner-1",
                        Tier.CLOUD,
                        0.003,
                        List.of(RolePrompts.PLAN),
                        "latencyMs",
                        "300",
                        "latencyJitterMs",
                        "200"),
                agent(
                        "synthesizer-1",
                        Tier.CLOUD,
                        0.003,
                        List.of(RolePrompts.SYNTHESIZE),
                        "latencyMs",
                        "300",
                        "latencyJitterMs",
                        "200"));
    }

    private static AgentEvent agent(
            String id, Tier tier, double costPer1k, List<String> capabilities, String... params) {
        Map<String, String> map = new java.util.HashMap<>();
        for (int i = 0; i < params.length; i += 2) {
            map.put(params[i], params[i + 1]);
        }
        return AgentEvent.newBuilder()
                .setAgentId(id)
                .setRuntime("simulated")
                .setModel(tier == Tier.CLOUD ? "simulated-large" : "simulated-small")
                .setTier(tier)
                .setCapabilities(capabilities)
                .setCostPer1kInputTokens(costPer1k)
                .setCostPer1kOutputTokens(4 * costPer1k)
                .setParams(map)
                .setTimestamp(System.currentTimeMillis())
                .build();
    }

    private static final String[] COMPLAINTS = {
        "I was charged twice for my order and need a refund.",
        "My package did not arrive and the courier has no record.",
        "The app crashes with an error every time I try to login.",
        "Please send the invoice for my last payment.",
        "Where is my parcel? It was shipped a week ago.",
        "I forgot my password and the reset page shows a bug.",
    };

    private static final String[] SUMS = {
        "12 * (3 + 4)", "2^10 - 24", "(17 + 25) / 3", "1.5 * 4 + 0.25", "99 - 3 * 11", "7 * 6"
    };

    private static final String[] TEXTS = {
        "Hivestream runs fleets of agents as one Flink job. Tasks arrive on Kafka and results leave on Kafka. Every call is metered.",
        "Exactly-once delivery means each task has one result. It relies on Kafka transactions and Flink checkpoints.",
        "Consensus asks several agents and votes. A faulty agent cannot change the winner when most agents are honest.",
    };

    private static final String[] CHATS = {
        "Suggest a name for a streaming platform for AI agents.",
        "Explain back-pressure in one sentence.",
        "Write a haiku about Kafka partitions.",
    };

    /** Tasks whose text has cues for planner-1: each sentence a stage, "and" parallel steps. */
    private static final String[] PLANNED = {
        "Research how Kafka transactions work and find their limits. Then write a summary for operators; review it for accuracy.",
        "Implement a function that deduplicates task ids within a time window. Then test it and review the code.",
        "Investigate why consumer lag grows during rebalances. Explain the causes to an on-call engineer and draft a runbook.",
    };

    /**
     * {@code count} tasks cycling through kinds; every fourth classify or math task asks three
     * agents to vote, and every seventh task (demo-007, demo-014, ...) is planned instead (strategy
     * DECOMPOSE).
     */
    static List<Task> tasks(int count) {
        List<Task> tasks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String id = String.format("demo-%03d", i + 1);
            Task.Builder task =
                    Task.newBuilder()
                            .setTaskId(id)
                            .setTenant(i % 5 == 0 ? "acme" : "globex")
                            .setCreatedAt(System.currentTimeMillis());
            if (i % 7 == 6) {
                tasks.add(
                        task.setKind("chat")
                                .setInput(PLANNED[(i / 7) % PLANNED.length])
                                .setStrategy(Strategy.DECOMPOSE)
                                .build());
                continue;
            }
            switch (i % 4) {
                case 0 ->
                        task.setKind("classify")
                                .setInput(COMPLAINTS[(i / 4) % COMPLAINTS.length])
                                .setMetadata(LABEL_METADATA)
                                .setReplicas(i % 8 == 0 ? 3 : 1);
                case 1 ->
                        task.setKind("math")
                                .setInput("What is " + SUMS[(i / 4) % SUMS.length] + "?")
                                .setReplicas(i % 8 == 1 ? 3 : 1);
                case 2 -> task.setKind("summarize").setInput(TEXTS[(i / 4) % TEXTS.length]);
                default ->
                        task.setKind("chat")
                                .setInput(CHATS[(i / 4) % CHATS.length])
                                .setSessionId("session-" + (i % 3));
            }
            tasks.add(task.build());
        }
        return tasks;
    }
}
