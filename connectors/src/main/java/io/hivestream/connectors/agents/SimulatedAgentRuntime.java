package io.hivestream.connectors.agents;

import io.hivestream.operators.execute.AgentCall;
import io.hivestream.operators.execute.AgentCallException;
import io.hivestream.operators.execute.AgentReply;
import io.hivestream.operators.execute.AgentRuntime;
import io.hivestream.operators.plan.PlanJson;
import io.hivestream.operators.plan.RolePrompts;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Task;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * An agent that answers from {@link TaskSolver} after a simulated latency, for tests, the demo and
 * load tests; every reply is flagged simulated. A plan's planning subtask (role {@code planner}) is
 * answered with {@link SimulatedPlanner}'s plan, its synthesis subtask (role {@code synthesizer})
 * with {@link SimulatedSynthesis}'s answer; a wrong plan is one with no step, which no plan check
 * accepts, and a wrong synthesis, like other wrong answers of a kind without a right one, is the
 * right one prefixed with {@code "not "}. Its profile comes from the agent's {@code params}:
 *
 * <ul>
 *   <li>{@code latencyMs} (default 20) and {@code latencyJitterMs} (default 0, uniform);
 *   <li>{@code errorRate} in [0, 1] (default 0): share of calls that fail;
 *   <li>{@code latencyDistribution}: {@code uniform} (default: latencyMs plus a uniform jitter up
 *       to latencyJitterMs) or {@code exponential} (latencyMs plus an exponential tail with mean
 *       latencyJitterMs, capped at ten times that mean);
 *   <li>{@code accuracy} in [0, 1] (default 1): share of answers that are right;
 *   <li>{@code difficultyPenalty} in [0, 1] (default 0): accuracy falls by this much per unit of a
 *       task's difficulty: task metadata {@code difficulty} in [0, 1] when given (a labelled true
 *       difficulty), else the analyser's complexity score;
 *   <li>{@code mode}: {@code honest} (default), {@code wrong} (always wrong), {@code collude}
 *       (always the same wrong answer as every other colluder), {@code malformed} (garbage);
 *   <li>{@code memory} ({@code true} or {@code false}, default false): prefix each answer with
 *       {@code [turn N] }, N being one more than the session's earlier turns the call was given, so
 *       that session memory can be seen at work;
 *   <li>{@code confidenceWhenRight} and {@code confidenceWhenWrong}: the confidence reported with a
 *       right and with a wrong answer (modes other than honest are always wrong), each a number in
 *       [0, 1] or a range {@code LOW-HIGH} drawn from uniformly, to three decimals; set both or
 *       neither. Without them no confidence is reported, so the agent's answers never escalate;
 *   <li>{@code seed} (default 0).
 * </ul>
 *
 * The same agent, seed, task, replica and attempt always give the same outcome. Completion runs on
 * one shared timer thread per JVM, so any number of calls may be in flight without a thread each.
 */
public final class SimulatedAgentRuntime implements AgentRuntime {
    public static final String RUNTIME = "simulated";
    public static final String COLLUDED_ANSWER = "colluded answer";

    private static final ScheduledExecutorService TIMER =
            Executors.newSingleThreadScheduledExecutor(
                    r -> {
                        Thread thread = new Thread(r, "hivestream-simulated-agents");
                        thread.setDaemon(true);
                        return thread;
                    });

    /** How a simulated agent behaves. */
    public enum Mode {
        HONEST,
        WRONG,
        COLLUDE,
        MALFORMED
    }

    private final String agentId;
    private final String model;
    private final long latencyMs;
    private final long jitterMs;
    private final double errorRate;
    private final double accuracy;
    private final double difficultyPenalty;
    private final boolean exponential;
    private final boolean showMemory;
    private final Mode mode;
    private final long seed;
    private final double[] confidenceWhenRight;
    private final double[] confidenceWhenWrong;

    public SimulatedAgentRuntime(AgentEvent agent) {
        Map<String, String> params = agent.getParams();
        this.agentId = agent.getAgentId();
        this.model = agent.getModel() != null ? agent.getModel() : "simulated";
        this.latencyMs = longParam(params, "latencyMs", 20, agentId);
        this.jitterMs = longParam(params, "latencyJitterMs", 0, agentId);
        this.errorRate = shareParam(params, "errorRate", 0.0, agentId);
        this.accuracy = shareParam(params, "accuracy", 1.0, agentId);
        this.difficultyPenalty = shareParam(params, "difficultyPenalty", 0.0, agentId);
        String distribution = params.getOrDefault("latencyDistribution", "uniform");
        if (!distribution.equals("uniform") && !distribution.equals("exponential")) {
            throw new IllegalArgumentException(
                    "agent "
                            + agentId
                            + ": latencyDistribution '"
                            + distribution
                            + "' is not one of uniform, exponential");
        }
        this.exponential = distribution.equals("exponential");
        this.showMemory = Boolean.parseBoolean(params.getOrDefault("memory", "false"));
        this.seed = longParam(params, "seed", 0, agentId);
        this.confidenceWhenRight = rangeParam(params, "confidenceWhenRight", agentId);
        this.confidenceWhenWrong = rangeParam(params, "confidenceWhenWrong", agentId);
        if ((confidenceWhenRight == null) != (confidenceWhenWrong == null)) {
            throw new IllegalArgumentException(
                    "agent "
                            + agentId
                            + ": params confidenceWhenRight and confidenceWhenWrong go together");
        }
        String mode = params.getOrDefault("mode", "honest");
        try {
            this.mode = Mode.valueOf(mode.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "agent "
                            + agentId
                            + ": mode '"
                            + mode
                            + "' is not one of honest, wrong, collude, malformed");
        }
    }

    @Override
    public CompletableFuture<AgentReply> call(AgentCall call) {
        SplittableRandom random =
                new SplittableRandom(
                        Objects.hash(
                                seed,
                                agentId,
                                call.task().getTaskId(),
                                call.replica(),
                                call.attempt()));
        long delay = latencyMs + jitter(random);
        boolean fails = random.nextDouble() < errorRate;
        boolean right = random.nextDouble() < accuracyFor(call);
        // Drawn last, so that profiles without a confidence keep their outcomes.
        Double confidence =
                confidenceWhenRight == null
                        ? null
                        : draw(
                                random,
                                right && mode == Mode.HONEST
                                        ? confidenceWhenRight
                                        : confidenceWhenWrong);
        CompletableFuture<AgentReply> reply = new CompletableFuture<>();
        Runnable finish =
                () -> {
                    if (fails) {
                        reply.completeExceptionally(
                                new SimulatedFailure(
                                        "simulated failure of "
                                                + agentId
                                                + " (error rate "
                                                + errorRate
                                                + ")"));
                        return;
                    }
                    try {
                        reply.complete(answer(call, right, confidence));
                    } catch (RuntimeException e) {
                        reply.completeExceptionally(e);
                    }
                };
        if (delay <= 0) {
            finish.run();
        } else {
            TIMER.schedule(finish, delay, TimeUnit.MILLISECONDS);
        }
        return reply;
    }

    private AgentReply answer(AgentCall call, boolean right, Double confidence) {
        String output;
        switch (mode) {
            case WRONG -> output = wrong(call.task(), solve(call.task()));
            case COLLUDE -> output = COLLUDED_ANSWER;
            case MALFORMED -> output = "\u0000<<malformed " + Long.toHexString(seed) + ">>";
            default -> {
                String solved = solve(call.task());
                output = right ? solved : wrong(call.task(), solved);
            }
        }
        if (showMemory) {
            output = "[turn " + (call.history().size() + 1) + "] " + output;
        }
        return new AgentReply(
                output,
                model,
                estimateTokens(call.task().getInput()),
                estimateTokens(output),
                confidence,
                true);
    }

    /** The right answer: a plan to a planner, a synthesis to a synthesizer, else the solver's. */
    static String solve(Task task) {
        if (RolePrompts.PLANNER.equals(task.getRole())) {
            return SimulatedPlanner.answer(task);
        }
        if (RolePrompts.SYNTHESIZER.equals(task.getRole())) {
            return SimulatedSynthesis.answer(task);
        }
        return TaskSolver.solve(task);
    }

    /** A wrong answer of the same kind: to a planner, a well-formed plan with no step. */
    static String wrong(Task task, String right) {
        if (RolePrompts.PLANNER.equals(task.getRole())) {
            return PlanJson.write(List.of());
        }
        return TaskSolver.wrong(task, right);
    }

    private static double draw(SplittableRandom random, double[] range) {
        double value = range[0] + (range[1] - range[0]) * random.nextDouble();
        return Math.round(value * 1000) / 1000.0;
    }

    private long jitter(SplittableRandom random) {
        if (jitterMs <= 0) {
            return 0;
        }
        if (!exponential) {
            return random.nextLong(jitterMs + 1);
        }
        double tail = -jitterMs * Math.log(1 - random.nextDouble());
        return (long) Math.min(tail, 10.0 * jitterMs);
    }

    /** The chance that this agent answers this call right. */
    double accuracyFor(AgentCall call) {
        if (difficultyPenalty == 0) {
            return accuracy;
        }
        String labelled = call.task().getMetadata().get("difficulty");
        double difficulty;
        try {
            difficulty =
                    labelled != null
                            ? Double.parseDouble(labelled)
                            : call.analysis().getComplexity();
        } catch (NumberFormatException e) {
            difficulty = call.analysis().getComplexity();
        }
        difficulty = Math.max(0, Math.min(1, difficulty));
        return Math.max(0, accuracy - difficultyPenalty * difficulty);
    }

    /** About four characters a token, as for English text. */
    public static long estimateTokens(String text) {
        return Math.max(1, (text.length() + 3) / 4);
    }

    private static long longParam(
            Map<String, String> params, String name, long fallback, String agentId) {
        String value = params.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value.strip());
            if (parsed < 0 && !name.equals("seed")) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "agent "
                            + agentId
                            + ": param "
                            + name
                            + " must be a whole number of 0 or more, got '"
                            + value
                            + "'");
        }
    }

    private static double shareParam(
            Map<String, String> params, String name, double fallback, String agentId) {
        String value = params.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            double parsed = Double.parseDouble(value.strip());
            if (!(parsed >= 0 && parsed <= 1)) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "agent "
                            + agentId
                            + ": param "
                            + name
                            + " must be a number in [0, 1], got '"
                            + value
                            + "'");
        }
    }

    /** A number in [0, 1] or a range {@code LOW-HIGH} of them, as {low, high}; null when unset. */
    private static double[] rangeParam(Map<String, String> params, String name, String agentId) {
        String value = params.get(name);
        if (value == null) {
            return null;
        }
        String[] bounds = value.strip().split("\\s*-\\s*", -1);
        try {
            if (bounds.length <= 2) {
                double low = Double.parseDouble(bounds[0]);
                double high = bounds.length == 2 ? Double.parseDouble(bounds[1]) : low;
                if (low >= 0 && high <= 1 && low <= high) {
                    return new double[] {low, high};
                }
            }
        } catch (NumberFormatException e) {
            // Reported below with the value.
        }
        throw new IllegalArgumentException(
                "agent "
                        + agentId
                        + ": param "
                        + name
                        + " must be a number in [0, 1] or a range LOW-HIGH of them, got '"
                        + value
                        + "'");
    }

    /** The failure a simulated agent reports: an outage the provider may recover from. */
    public static final class SimulatedFailure extends AgentCallException {
        private static final long serialVersionUID = 1L;

        public SimulatedFailure(String message) {
            super(Kind.UNAVAILABLE, message);
        }
    }
}
