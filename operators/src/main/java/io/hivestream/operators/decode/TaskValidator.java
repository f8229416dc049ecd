package io.hivestream.operators.decode;

import io.hivestream.operators.cache.CacheMode;
import io.hivestream.operators.consensus.Votes;
import io.hivestream.operators.route.Escalation;
import io.hivestream.schemas.Task;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a decoded task against the rules the later stages rely on. Returns every problem at once
 * so that a producer can fix a record in one go.
 */
public final class TaskValidator implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final int DEFAULT_MAX_INPUT_CHARS = 200_000;
    public static final int DEFAULT_MAX_REPLICAS = 15;
    public static final int MAX_ID_CHARS = 256;

    private final int maxInputChars;
    private final int maxReplicas;

    public TaskValidator() {
        this(DEFAULT_MAX_INPUT_CHARS, DEFAULT_MAX_REPLICAS);
    }

    public TaskValidator(int maxInputChars, int maxReplicas) {
        if (maxInputChars <= 0 || maxReplicas <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
        this.maxInputChars = maxInputChars;
        this.maxReplicas = maxReplicas;
    }

    public List<String> problems(Task task) {
        List<String> problems = new ArrayList<>();
        checkId("taskId", task.getTaskId(), true, problems);
        checkId("tenant", task.getTenant(), true, problems);
        checkId("sessionId", task.getSessionId(), false, problems);
        if (task.getTurn() != null && task.getTurn() < 1) {
            problems.add("turn is " + task.getTurn() + "; turns are numbered from 1");
        } else if (task.getTurn() != null && task.getSessionId() == null) {
            problems.add("turn is set without a sessionId; a turn number orders a session's turns");
        }
        checkId("kind", task.getKind(), true, problems);
        if (task.getInput().isBlank()) {
            problems.add("input is blank");
        } else if (task.getInput().length() > maxInputChars) {
            problems.add(
                    "input has "
                            + task.getInput().length()
                            + " characters; at most "
                            + maxInputChars);
        }
        for (String capability : task.getCapabilities()) {
            if (capability.isBlank()) {
                problems.add("capabilities contains a blank entry");
            }
        }
        int replicas = task.getReplicas();
        if (replicas < 1 || replicas > maxReplicas) {
            problems.add("replicas is " + replicas + "; must be 1.." + maxReplicas);
        } else if (task.getQuorum() != null) {
            int quorum = task.getQuorum();
            if (quorum <= replicas / 2 || quorum > replicas) {
                problems.add(
                        "quorum is "
                                + quorum
                                + "; with "
                                + replicas
                                + " replicas it must be "
                                + (replicas / 2 + 1)
                                + ".."
                                + replicas
                                + " (a strict majority)");
            }
        }
        if (task.getBudgetUsd() != null && !(task.getBudgetUsd() >= 0)) {
            problems.add("budgetUsd is " + task.getBudgetUsd() + "; must be 0 or more");
        }
        if (task.getDeadline() != null && task.getDeadline() <= 0) {
            problems.add("deadline must be epoch milliseconds");
        }
        problems.addAll(Votes.problems(task.getMetadata()));
        problems.addAll(Escalation.problems(task.getMetadata()));
        problems.addAll(CacheMode.problems(task.getMetadata()));
        return problems;
    }

    private static void checkId(
            String name, String value, boolean required, List<String> problems) {
        if (value == null) {
            if (required) {
                problems.add(name + " is missing");
            }
        } else if (value.isBlank()) {
            problems.add(name + " is blank");
        } else if (value.length() > MAX_ID_CHARS) {
            problems.add(name + " is longer than " + MAX_ID_CHARS + " characters");
        }
    }
}
