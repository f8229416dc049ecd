package io.hivestream.loadtests;

import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Generates the tasks of a {@link TaskMix}, one after the other. Each block of {@link
 * TaskMix#BLOCK} tasks holds exactly the mix's counts of every kind and shape, in an order shuffled
 * with the mix's seed; the same mix and run id always give the same tasks.
 *
 * <p>Task ids are {@code RUN-INDEX}, so a result names the task it answers ({@link #indexOf}).
 * Session tasks take the sessions round robin ({@code s-0}, {@code s-1}, ...), so {@code N} session
 * tasks touch {@code min(N, sessions)} sessions. Not thread-safe.
 */
public final class MixGenerator {
    /** What a task asks for, besides its kind. */
    enum Shape {
        DIRECT,
        CONSENSUS,
        PLAN
    }

    private static final String LABELS = "billing,shipping,technical";
    private static final Map<String, String> CLASSIFY_METADATA =
            Map.of(
                    "labels", LABELS,
                    "label.billing", "charge charged refund invoice payment",
                    "label.shipping", "delivery package shipped arrive",
                    "label.technical", "error crash login bug app");
    private static final String[] COMPLAINTS = {
        "I was charged twice for my order.",
        "My package did not arrive.",
        "The app shows an error when I log in.",
        "Where is my refund for the last invoice?"
    };

    private final TaskMix mix;
    private final String runId;
    private final Random random;
    private final List<String> kindNames;
    private final String[] blockKinds = new String[TaskMix.BLOCK];
    private final Shape[] blockShapes = new Shape[TaskMix.BLOCK];
    private final boolean[] blockSessions = new boolean[TaskMix.BLOCK];
    private long next;
    private long sessionTasks;

    public MixGenerator(TaskMix mix, String runId) {
        this.mix = mix;
        this.runId = runId;
        this.random = new Random(mix.seed());
        // Sorted, so that the order of the map given does not change the tasks.
        this.kindNames = new ArrayList<>(new TreeMap<>(mix.kinds()).keySet());
    }

    /** The index the next task will have. */
    public long nextIndex() {
        return next;
    }

    /** The next task, stamped with {@code createdAt}. */
    public Task next(long createdAt) {
        int inBlock = (int) (next % TaskMix.BLOCK);
        if (inBlock == 0) {
            fillBlock();
        }
        long index = next++;
        String kind = blockKinds[inBlock];
        Task.Builder task =
                Task.newBuilder()
                        .setTaskId(taskId(runId, index))
                        .setKind(kind)
                        .setInput(input(kind, index))
                        .setCreatedAt(createdAt);
        if (kind.equals("classify")) {
            task.setMetadata(CLASSIFY_METADATA);
        }
        if (blockSessions[inBlock]) {
            task.setSessionId("s-" + (sessionTasks++ % mix.sessions()));
        }
        switch (blockShapes[inBlock]) {
            case CONSENSUS -> task.setReplicas(mix.replicas());
            case PLAN -> task.setStrategy(Strategy.DECOMPOSE);
            case DIRECT -> {}
        }
        return task.build();
    }

    public static String taskId(String runId, long index) {
        return runId + "-" + index;
    }

    /** The index in a task id made by {@link #taskId}; -1 for any other id. */
    public static long indexOf(String taskId) {
        if (taskId.indexOf('/') >= 0) {
            return -1; // a plan's subtask (ROOT/STEP), not a published task
        }
        int dash = taskId.lastIndexOf('-');
        if (dash < 0 || dash == taskId.length() - 1) {
            return -1;
        }
        long index = 0;
        for (int i = dash + 1; i < taskId.length(); i++) {
            char c = taskId.charAt(i);
            if (c < '0' || c > '9' || index > (Long.MAX_VALUE - 9) / 10) {
                return -1;
            }
            index = index * 10 + (c - '0');
        }
        return index;
    }

    private void fillBlock() {
        int at = 0;
        for (String kind : kindNames) {
            int count = TaskMix.perBlock(kind, mix.kinds().get(kind));
            for (int i = 0; i < count; i++) {
                blockKinds[at++] = kind;
            }
        }
        shuffle(blockKinds);
        int consensus = TaskMix.perBlock("consensusShare", mix.consensusShare());
        int plans = TaskMix.perBlock("planShare", mix.planShare());
        for (int i = 0; i < TaskMix.BLOCK; i++) {
            blockShapes[i] =
                    i < consensus
                            ? Shape.CONSENSUS
                            : i < consensus + plans ? Shape.PLAN : Shape.DIRECT;
        }
        shuffle(blockShapes);
        int sessions = TaskMix.perBlock("sessionShare", mix.sessionShare());
        for (int i = 0; i < TaskMix.BLOCK; i++) {
            blockSessions[i] = i < sessions;
        }
        for (int i = TaskMix.BLOCK - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            boolean swap = blockSessions[i];
            blockSessions[i] = blockSessions[j];
            blockSessions[j] = swap;
        }
    }

    private <T> void shuffle(T[] values) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            T swap = values[i];
            values[i] = values[j];
            values[j] = swap;
        }
    }

    private String input(String kind, long index) {
        int a = random.nextInt(90) + 10;
        int b = random.nextInt(90) + 10;
        return switch (kind) {
            case "math" -> "What is " + a + " * (" + b + " + " + (index % 97) + ")?";
            case "classify" -> COMPLAINTS[random.nextInt(COMPLAINTS.length)];
            case "summarize" ->
                    "Order "
                            + index
                            + " left the warehouse on day "
                            + a
                            + ". It should arrive within "
                            + b % 7
                            + " days. Tracking is online.";
            default -> "Hello, this is message " + index + "; how are you today?";
        };
    }
}
