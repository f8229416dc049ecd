package io.hivestream.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.Tier;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultLinesTest {
    private static TaskResult result(boolean cached) {
        return TaskResult.newBuilder()
                .setTaskId("q-1")
                .setKind("math")
                .setStatus(TaskStatus.COMPLETED)
                .setOutput("84")
                .setTier(Tier.EDGE)
                .setAgentTier(Tier.CLOUD)
                .setAgents(List.of("gpt-mini"))
                .setAnswers(
                        List.of(
                                AgentAnswer.newBuilder()
                                        .setAgentId("gpt-mini")
                                        .setOutput("84")
                                        .setCached(cached)
                                        .build()))
                .setLatencyMs(12)
                .build();
    }

    @Test
    void anAnswerFromTheCacheIsMarked() {
        assertThat(ResultLines.line(result(true)))
                .isEqualTo(
                        "COMPLETED    q-1                      math       → 84  [gpt-mini EDGE task,"
                                + " CLOUD agent 12 ms $0.000000 cached]");
        assertThat(ResultLines.line(result(false)))
                .isEqualTo(
                        "COMPLETED    q-1                      math       → 84  [gpt-mini EDGE task,"
                                + " CLOUD agent 12 ms $0.000000]");
    }
}
