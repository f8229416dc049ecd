package io.hivestream.operators.route;

import io.hivestream.schemas.internal.AnalyzedTask;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

/**
 * The tasks of one route key (one session, or one task) that wait for agents, oldest first. A task
 * leaves the line only from its head: a later turn of a session never overtakes an earlier one that
 * still waits, so the execute stage sees a session's turns in the order they arrived. Each task
 * waits until its own deadline; the head fails with the router's reason when its deadline has
 * passed (or the input ended), and the line moves on.
 */
public final class WaitingLine {
    private WaitingLine() {}

    /** A waiting task and the time its wait ends. */
    public record Entry(AnalyzedTask task, long deadline) {}

    /** What leaves the line: a task routed, or a task failed with a reason. */
    public sealed interface Step permits Routed, Failed {}

    public record Routed(AnalyzedTask task, Router.Route route) implements Step {}

    public record Failed(AnalyzedTask task, String problem) implements Step {}

    /**
     * Moves the line on as far as it can go, removing what leaves it.
     *
     * @param route routes a task against the current agents
     * @param invalid why a task can never be routed (a bad preference), or null
     * @param now the time deadlines are compared with
     * @param ending whether the input ended: then every task still waiting fails
     * @return what left the line, in order
     */
    public static List<Step> advance(
            Deque<Entry> line,
            Function<AnalyzedTask, Router.Route> route,
            Function<AnalyzedTask, String> invalid,
            long now,
            boolean ending) {
        List<Step> steps = new ArrayList<>();
        while (!line.isEmpty()) {
            Entry head = line.peekFirst();
            Router.Route routed = route.apply(head.task());
            if (routed.routed()) {
                steps.add(new Routed(head.task(), routed));
            } else {
                String problem = invalid.apply(head.task());
                if (problem == null && (ending || head.deadline() <= now)) {
                    problem = routed.problem();
                }
                if (problem == null) {
                    break;
                }
                steps.add(new Failed(head.task(), problem));
            }
            line.removeFirst();
        }
        return steps;
    }
}
