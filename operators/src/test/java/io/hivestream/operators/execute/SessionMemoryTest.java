package io.hivestream.operators.execute;

import static io.hivestream.operators.testing.TestRecords.analyzed;
import static io.hivestream.operators.testing.TestRecords.request;
import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.internal.CallRequest;
import io.hivestream.schemas.internal.Turn;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionMemoryTest {
    /** A turn of task {@code taskId}. */
    static Turn turn(String taskId) {
        return Turn.newBuilder()
                .setTaskId(taskId)
                .setInput("in " + taskId)
                .setOutput("out " + taskId)
                .setAgentId("a")
                .setAt(1)
                .build();
    }

    @Test
    void anAnswerBecomesATurnCutToTheKeptCharacters() {
        AgentAnswer answer = AgentAnswer.newBuilder().setAgentId("a").setOutput("abcdefgh").build();

        assertThat(SessionMemory.turn(task("t1", "chat", "0123456789").build(), answer, 4, 9))
                .isEqualTo(
                        Turn.newBuilder()
                                .setTaskId("t1")
                                .setInput("0123")
                                .setOutput("abcd")
                                .setAgentId("a")
                                .setAt(9)
                                .build());
    }

    @Test
    void theMemoryKeepsTheLastTurnsAndATaskOnce() {
        List<Turn> two = SessionMemory.remembered(List.of(turn("t1")), turn("t2"), 2);
        assertThat(two).containsExactly(turn("t1"), turn("t2"));
        assertThat(SessionMemory.remembered(two, turn("t3"), 2))
                .containsExactly(turn("t2"), turn("t3"));
        assertThat(SessionMemory.remembered(two, turn("t2"), 2)).isNull();
    }

    @Test
    void theOldestQueuedTaskStartsWithAllItsReplicas() {
        CallRequest a0 = request(analyzed(task("a", "chat", "x").build(), 2, 2), 0, List.of());
        CallRequest b0 = request(analyzed(task("b", "chat", "x").build(), 1, 1), 0, List.of());
        CallRequest a1 = request(analyzed(task("a", "chat", "x").build(), 2, 2), 1, List.of());

        SessionMemory.Next next = SessionMemory.next(List.of(a0, b0, a1));

        assertThat(next.now()).containsExactly(a0, a1);
        assertThat(next.later()).containsExactly(b0);
        assertThat(SessionMemory.next(List.of()).now()).isEmpty();
    }
}
