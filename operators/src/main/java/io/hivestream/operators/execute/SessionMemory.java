package io.hivestream.operators.execute;

import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.internal.CallRequest;
import io.hivestream.schemas.internal.Turn;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules of a session's state in the execute stage, as plain functions over what the operator
 * keeps in keyed state: which turn an answer becomes, what the memory is after a turn, and which
 * queued task runs next.
 */
final class SessionMemory {
    private SessionMemory() {}

    /** The turn a task's answer becomes, its input and output cut to {@code maxChars}. */
    static Turn turn(Task task, AgentAnswer answer, int maxChars, long now) {
        return Turn.newBuilder()
                .setTaskId(task.getTaskId())
                .setInput(truncate(task.getInput(), maxChars))
                .setOutput(truncate(answer.getOutput(), maxChars))
                .setAgentId(answer.getAgentId())
                .setAt(now)
                .build();
    }

    /**
     * The memory after {@code finished}: the last {@code maxTurns} turns; or null when it is
     * unchanged, because a replica that arrived after its siblings finished formed a second turn of
     * the same task, which the session remembers once.
     */
    static List<Turn> remembered(List<Turn> turns, Turn finished, int maxTurns) {
        if (!turns.isEmpty()
                && turns.get(turns.size() - 1).getTaskId().equals(finished.getTaskId())) {
            return null;
        }
        List<Turn> next = new ArrayList<>(turns);
        next.add(finished);
        int from = Math.max(0, next.size() - maxTurns);
        return new ArrayList<>(next.subList(from, next.size()));
    }

    /** The queued requests split into the oldest task's replicas, to start now, and the rest. */
    record Next(List<CallRequest> now, List<CallRequest> later) {}

    static Next next(List<CallRequest> queued) {
        List<CallRequest> now = new ArrayList<>();
        List<CallRequest> later = new ArrayList<>();
        if (queued.isEmpty()) {
            return new Next(now, later);
        }
        String next = queued.get(0).getTask().getTask().getTaskId();
        for (CallRequest request : queued) {
            (request.getTask().getTask().getTaskId().equals(next) ? now : later).add(request);
        }
        return new Next(now, later);
    }

    static String truncate(String text, int max) {
        return text == null ? "" : text.length() <= max ? text : text.substring(0, max);
    }
}
