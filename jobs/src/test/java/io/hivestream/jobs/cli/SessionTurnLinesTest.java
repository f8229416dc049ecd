package io.hivestream.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.internal.Turn;
import org.junit.jupiter.api.Test;

class SessionTurnLinesTest {
    private static final Turn TURN =
            Turn.newBuilder()
                    .setTaskId("q-3")
                    .setInput("Two lines:\nthe first and the second.\n")
                    .setOutput("Done \"both\".")
                    .setAgentId("gpt-main")
                    .setAt(1_700_000_000_123L)
                    .build();

    @Test
    void aTurnIsItsHeadingThenItsInputAndOutputWithLaterLinesUnderTheFirst() {
        assertThat(SessionTurnLines.lines(2, TURN))
                .isEqualTo(
                        "turn 2 at 2023-11-14T22:13:20.123Z: task q-3, answered by gpt-main\n"
                                + "  input:  Two lines:\n"
                                + "          the first and the second.\n"
                                + "  output: Done \"both\".");
    }

    @Test
    void anEmptyOutputLeavesItsLabel() {
        Turn empty = Turn.newBuilder(TURN).setInput("hi").setOutput("").build();

        assertThat(SessionTurnLines.lines(1, empty))
                .isEqualTo(
                        "turn 1 at 2023-11-14T22:13:20.123Z: task q-3, answered by gpt-main\n"
                                + "  input:  hi\n"
                                + "  output: ");
    }

    @Test
    void aTurnAsJsonIsTheSessionItsNumberAndEveryFieldAsKept() {
        assertThat(SessionTurnLines.json("acme", "s-1", 2, TURN))
                .isEqualTo(
                        "{\"tenant\":\"acme\",\"sessionId\":\"s-1\",\"turn\":2,\"taskId\":\"q-3\","
                                + "\"agentId\":\"gpt-main\",\"at\":1700000000123,"
                                + "\"input\":\"Two lines:\\nthe first and the second.\\n\","
                                + "\"output\":\"Done \\\"both\\\".\"}");
    }

    @Test
    void theSummaryCountsTheTurnsOfTheSessionAndItsTenant() {
        assertThat(SessionTurnLines.summary(3, "default", "s-1"))
                .isEqualTo("3 turn(s) in the memory of session s-1 of tenant default");
    }
}
