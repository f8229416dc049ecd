package io.hivestream.operators.decode;

import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hivestream.schemas.Task;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskValidatorTest {
    private final TaskValidator validator = new TaskValidator();

    private static Task valid() {
        return task("t-1", "chat", "Hello there").build();
    }

    @Test
    void aTaskWithTheDefaultsHasNoProblems() {
        assertThat(validator.problems(valid())).isEmpty();
    }

    @Test
    void idsMustBePresentNotBlankAndAtMost256Characters() {
        Task missingId = valid();
        missingId.setTaskId(null);
        Task blankTenant = valid();
        blankTenant.setTenant("  ");
        Task longKind = valid();
        longKind.setKind("k".repeat(257));

        assertThat(validator.problems(missingId)).containsExactly("taskId is missing");
        assertThat(validator.problems(blankTenant)).containsExactly("tenant is blank");
        assertThat(validator.problems(longKind))
                .containsExactly("kind is longer than 256 characters");
    }

    @Test
    void anIdOfExactly256CharactersIsAccepted() {
        Task task = valid();
        task.setTaskId("t".repeat(256));

        assertThat(validator.problems(task)).isEmpty();
    }

    @Test
    void aTurnIsNumberedFromOneAndBelongsToASession() {
        Task first = valid();
        first.setSessionId("s-1");
        first.setTurn(1L);
        Task zero = valid();
        zero.setSessionId("s-1");
        zero.setTurn(0L);
        Task alone = valid();
        alone.setTurn(2L);

        assertThat(validator.problems(first)).isEmpty();
        assertThat(validator.problems(zero))
                .containsExactly("turn is 0; turns are numbered from 1");
        assertThat(validator.problems(alone))
                .containsExactly(
                        "turn is set without a sessionId; a turn number orders a session's turns");
    }

    @Test
    void sessionIdIsOptionalButNotBlank() {
        Task noSession = valid();
        Task blankSession = valid();
        blankSession.setSessionId("\t");

        assertThat(validator.problems(noSession)).isEmpty();
        assertThat(validator.problems(blankSession)).containsExactly("sessionId is blank");
    }

    @Test
    void inputMustNotBeBlankNorLongerThanTheLimit() {
        TaskValidator small = new TaskValidator(10, 15);
        Task blank = valid();
        blank.setInput(" \n ");
        Task atLimit = valid();
        atLimit.setInput("0123456789");
        Task tooLong = valid();
        tooLong.setInput("0123456789A");

        assertThat(small.problems(blank)).containsExactly("input is blank");
        assertThat(small.problems(atLimit)).isEmpty();
        assertThat(small.problems(tooLong)).containsExactly("input has 11 characters; at most 10");
    }

    @Test
    void everyBlankCapabilityIsReported() {
        Task task = valid();
        task.setCapabilities(List.of("chat", " ", ""));

        assertThat(validator.problems(task))
                .containsExactly(
                        "capabilities contains a blank entry",
                        "capabilities contains a blank entry");
    }

    @Test
    void replicasMustBeBetweenOneAndTheLimit() {
        Task none = valid();
        none.setReplicas(0);
        Task tooMany = valid();
        tooMany.setReplicas(16);
        Task most = valid();
        most.setReplicas(15);

        assertThat(validator.problems(none)).containsExactly("replicas is 0; must be 1..15");
        assertThat(validator.problems(tooMany)).containsExactly("replicas is 16; must be 1..15");
        assertThat(validator.problems(most)).isEmpty();
    }

    @Test
    void quorumMustBeAStrictMajorityOfTheReplicas() {
        Task half = valid();
        half.setReplicas(4);
        half.setQuorum(2);
        Task above = valid();
        above.setReplicas(3);
        above.setQuorum(4);
        Task majority = valid();
        majority.setReplicas(4);
        majority.setQuorum(3);

        assertThat(validator.problems(half))
                .containsExactly(
                        "quorum is 2; with 4 replicas it must be 3..4 (a strict majority)");
        assertThat(validator.problems(above))
                .containsExactly(
                        "quorum is 4; with 3 replicas it must be 2..3 (a strict majority)");
        assertThat(validator.problems(majority)).isEmpty();
    }

    @Test
    void quorumIsNotCheckedAgainstInvalidReplicas() {
        Task task = valid();
        task.setReplicas(0);
        task.setQuorum(5);

        assertThat(validator.problems(task)).containsExactly("replicas is 0; must be 1..15");
    }

    @Test
    void budgetMustBeZeroOrMoreAndANumber() {
        Task negative = valid();
        negative.setBudgetUsd(-0.5);
        Task notANumber = valid();
        notANumber.setBudgetUsd(Double.NaN);
        Task zero = valid();
        zero.setBudgetUsd(0.0);

        assertThat(validator.problems(negative))
                .containsExactly("budgetUsd is -0.5; must be 0 or more");
        assertThat(validator.problems(notANumber))
                .containsExactly("budgetUsd is NaN; must be 0 or more");
        assertThat(validator.problems(zero)).isEmpty();
    }

    @Test
    void deadlineMustBeEpochMilliseconds() {
        Task task = valid();
        task.setDeadline(0L);

        assertThat(validator.problems(task)).containsExactly("deadline must be epoch milliseconds");
    }

    @Test
    void everyProblemIsReportedAtOnceInRuleOrder() {
        Task task = valid();
        task.setTaskId(" ");
        task.setKind("");
        task.setInput("");
        task.setReplicas(3);
        task.setQuorum(1);
        task.setBudgetUsd(-1.0);
        task.setDeadline(-5L);

        assertThat(validator.problems(task))
                .containsExactly(
                        "taskId is blank",
                        "kind is blank",
                        "input is blank",
                        "quorum is 1; with 3 replicas it must be 2..3 (a strict majority)",
                        "budgetUsd is -1.0; must be 0 or more",
                        "deadline must be epoch milliseconds");
    }

    @Test
    void voteSettingsMustNameAKnownStrategyAThresholdInRangeAndATolerance() {
        Task good =
                task("t-1", "math", "2+2")
                        .setMetadata(
                                java.util.Map.of(
                                        "vote",
                                        "Numeric",
                                        "vote.tolerance",
                                        "0.5",
                                        "vote.threshold",
                                        "1"))
                        .build();
        Task bad =
                task("t-1", "math", "2+2")
                        .setMetadata(
                                java.util.Map.of(
                                        "vote", "loudest",
                                        "vote.threshold", "0",
                                        "vote.tolerance", "-1"))
                        .build();
        Task unreadable =
                task("t-1", "math", "2+2")
                        .setMetadata(
                                java.util.Map.of("vote.threshold", "high", "vote.tolerance", "x"))
                        .build();

        assertThat(validator.problems(good)).isEmpty();
        assertThat(validator.problems(bad))
                .containsExactly(
                        "vote 'loudest' is not one of exact, weighted, semantic, numeric, json",
                        "vote.threshold is '0'; must be a number in (0, 1]",
                        "vote.tolerance is '-1'; must be a number of 0 or more");
        assertThat(validator.problems(unreadable))
                .containsExactly(
                        "vote.threshold is 'high'; must be a number in (0, 1]",
                        "vote.tolerance is 'x'; must be a number of 0 or more");
    }

    @Test
    void aCascadeThresholdMustBeANumberFromZeroToOne() {
        Task good =
                task("t-1", "chat", "hi")
                        .setMetadata(java.util.Map.of("cascadeThreshold", "0"))
                        .build();
        Task bad =
                task("t-1", "chat", "hi")
                        .setMetadata(java.util.Map.of("cascadeThreshold", "-0.1"))
                        .build();

        assertThat(validator.problems(good)).isEmpty();
        assertThat(validator.problems(bad))
                .containsExactly("cascadeThreshold is '-0.1'; must be a number in [0, 1]");
    }

    @Test
    void aCacheModeMustBeExactOrOff() {
        Task exact =
                task("t-1", "chat", "hi").setMetadata(java.util.Map.of("cache", "exact")).build();
        Task off = task("t-1", "chat", "hi").setMetadata(java.util.Map.of("cache", "off")).build();
        Task bad =
                task("t-1", "chat", "hi").setMetadata(java.util.Map.of("cache", "always")).build();

        assertThat(validator.problems(exact)).isEmpty();
        assertThat(validator.problems(off)).isEmpty();
        assertThat(validator.problems(bad))
                .containsExactly("cache is 'always'; must be exact, semantic or off");
    }

    @Test
    void limitsMustBePositive() {
        assertThatThrownBy(() -> new TaskValidator(0, 15))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limits must be positive");
        assertThatThrownBy(() -> new TaskValidator(10, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limits must be positive");
    }
}
