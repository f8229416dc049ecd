package io.hivestream.loadtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MixGeneratorTest {
    private static final TaskMix MIX =
            new TaskMix(
                    Map.of("chat", 0.5, "math", 0.3, "classify", 0.2), 0.5, 7, 0.2, 3, 0.05, 42);

    private static List<Task> generate(TaskMix mix, int count) {
        MixGenerator generator = new MixGenerator(mix, "run");
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            tasks.add(generator.next(1_000 + i));
        }
        return tasks;
    }

    private static <K> Map<K, Long> count(List<Task> tasks, Function<Task, K> key) {
        return tasks.stream()
                .collect(Collectors.groupingBy(key, TreeMap::new, Collectors.counting()));
    }

    @Test
    void twoBlocksHoldExactlyTheCountsOfTheMix() {
        List<Task> tasks = generate(MIX, 2000);

        assertThat(count(tasks, Task::getKind))
                .containsExactlyEntriesOf(
                        new TreeMap<>(Map.of("chat", 1000L, "classify", 400L, "math", 600L)));
        assertThat(tasks.stream().filter(t -> t.getReplicas() == 3).count()).isEqualTo(400);
        assertThat(tasks.stream().filter(t -> t.getReplicas() == 1).count()).isEqualTo(1600);
        assertThat(tasks.stream().filter(t -> t.getStrategy() == Strategy.DECOMPOSE).count())
                .isEqualTo(100);
        assertThat(
                        tasks.stream()
                                .filter(
                                        t ->
                                                t.getStrategy() == Strategy.DECOMPOSE
                                                        && t.getReplicas() > 1)
                                .count())
                .isZero();
        assertThat(tasks.stream().filter(t -> t.getStrategy() == null).count()).isEqualTo(1900);
        // 1,000 session tasks round robin over 7 sessions: 142 rounds and 6 more.
        assertThat(
                        count(
                                tasks.stream().filter(t -> t.getSessionId() != null).toList(),
                                Task::getSessionId))
                .containsExactlyEntriesOf(
                        new TreeMap<>(
                                Map.of(
                                        "s-0", 143L, "s-1", 143L, "s-2", 143L, "s-3", 143L, "s-4",
                                        143L, "s-5", 143L, "s-6", 142L)));
        assertThat(tasks.stream().filter(t -> t.getSessionId() == null).count()).isEqualTo(1000);
    }

    @Test
    void tasksAreNumberedAndStampedInOrder() {
        List<Task> tasks = generate(MIX, 3);

        assertThat(tasks).extracting(Task::getTaskId).containsExactly("run-0", "run-1", "run-2");
        assertThat(tasks).extracting(Task::getCreatedAt).containsExactly(1_000L, 1_001L, 1_002L);
        assertThat(tasks.stream().filter(t -> t.getKind().equals("classify")))
                .allSatisfy(
                        t ->
                                assertThat(t.getMetadata().get("labels"))
                                        .isEqualTo("billing,shipping,technical"));
    }

    @Test
    void theSameSeedGivesTheSameTasksAndAnotherSeedAnotherOrder() {
        TaskMix other = new TaskMix(MIX.kinds(), 0.5, 7, 0.2, 3, 0.05, 43);

        assertThat(generate(MIX, 1500)).isEqualTo(generate(MIX, 1500));
        assertThat(generate(other, 1500).stream().map(Task::getKind).toList())
                .isNotEqualTo(generate(MIX, 1500).stream().map(Task::getKind).toList());
    }

    @Test
    void theIndexIsReadBackFromTheTaskId() {
        assertThat(MixGenerator.indexOf(MixGenerator.taskId("a-pipeline-eo", 12345)))
                .isEqualTo(12345);
        assertThat(MixGenerator.indexOf("t-1")).isEqualTo(1);
        assertThat(MixGenerator.indexOf("no-number-x")).isEqualTo(-1);
        assertThat(MixGenerator.indexOf("trailing-")).isEqualTo(-1);
        assertThat(MixGenerator.indexOf("nodash")).isEqualTo(-1);
    }

    @Test
    void aMixRefusesSharesItCannotHoldExactly() {
        assertThatThrownBy(() -> new TaskMix(Map.of("chat", 0.6), 0, 0, 0, 1, 0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the kind shares add up to 0.6, not 1: {chat=0.6}");
        assertThatThrownBy(() -> new TaskMix(Map.of("chat", 1.0), 0.0005, 1, 0, 1, 0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sessionShare must be in [0, 1] in steps of 1/1000: 5.0E-4");
        assertThatThrownBy(() -> new TaskMix(Map.of("chat", 1.0), 0, 0, 0.7, 3, 0.4, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("consensusShare + planShare must be at most 1: 0.7 + 0.4");
        assertThatThrownBy(() -> new TaskMix(Map.of("chat", 1.0), 0, 0, 0.2, 1, 0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("consensus tasks need at least 2 replicas: 1");
        assertThatThrownBy(() -> new TaskMix(Map.of("chat", 1.0), 0.5, 0, 0, 1, 0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tasks in sessions need at least one session: 0");
    }

    @Test
    void agentsPerKindFollowTheLargestVote() {
        assertThat(MIX.agentsPerKind()).isEqualTo(3);
        assertThat(TaskMix.plain(1).agentsPerKind()).isEqualTo(1);
        assertThat(Harness.agents(MIX, 50))
                .extracting(a -> a.getAgentId() + ":" + a.getParams().get("latencyMs"))
                .containsExactly(
                        "sim-chat-0:50",
                        "sim-chat-1:50",
                        "sim-chat-2:50",
                        "sim-classify-0:50",
                        "sim-classify-1:50",
                        "sim-classify-2:50",
                        "sim-math-0:50",
                        "sim-math-1:50",
                        "sim-math-2:50",
                        "sim-plan:50",
                        "sim-synthesize:50");
    }

    @Test
    void aPlansSubtaskIsNotAPublishedTask() {
        assertThat(MixGenerator.indexOf("run-12")).isEqualTo(12);
        assertThat(MixGenerator.indexOf("run-12/plan-1")).isEqualTo(-1);
        assertThat(MixGenerator.indexOf("run-12/replan-1-2")).isEqualTo(-1);
    }
}
