package io.hivestream.operators.consensus;

import static io.hivestream.operators.testing.TestRecords.agent;
import static io.hivestream.operators.testing.TestRecords.analyzed;
import static io.hivestream.operators.testing.TestRecords.request;
import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.AnalyzedTask;
import io.hivestream.schemas.internal.CallReply;
import io.hivestream.schemas.internal.CallRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnswerTiersTest {
    private static final AnalyzedTask TASK = analyzed(task("t-1", "classify", "x").build(), 1, 1);

    private static CallReply reply(CallRequest request, String answeredBy) {
        return CallReply.newBuilder()
                .setRequest(request)
                .setAnswer(AgentAnswer.newBuilder().setAgentId(answeredBy).setOutput("y").build())
                .build();
    }

    @Test
    void aFallbackToACloudAgentIsCloudThoughTheTaskIsEdge() {
        CallRequest request =
                request(
                        TASK,
                        0,
                        List.of(
                                agent("edge-1", List.of("classify")).setTier(Tier.EDGE).build(),
                                agent("cloud-1", List.of("classify")).setTier(Tier.CLOUD).build()));

        assertThat(AnswerTiers.of(List.of(reply(request, "cloud-1")), List.of("cloud-1")))
                .isEqualTo(Tier.CLOUD);
        assertThat(AnswerTiers.of(List.of(reply(request, "edge-1")), List.of("edge-1")))
                .isEqualTo(Tier.EDGE);
    }

    @Test
    void anEscalationAgentIsFoundInTheEscalationChain() {
        CallRequest request =
                CallRequest.newBuilder(
                                request(
                                        TASK,
                                        0,
                                        List.of(
                                                agent("edge-1", List.of("classify"))
                                                        .setTier(Tier.EDGE)
                                                        .build())))
                        .setEscalation(
                                List.of(
                                        agent("cloud-9", List.of("classify"))
                                                .setTier(Tier.CLOUD)
                                                .build()))
                        .build();

        assertThat(AnswerTiers.of(List.of(reply(request, "cloud-9")), List.of("cloud-9")))
                .isEqualTo(Tier.CLOUD);
    }

    @Test
    void noAgentNoTier() {
        CallRequest request = request(TASK, 0, List.of());

        assertThat(AnswerTiers.of(List.of(reply(request, "x")), List.of())).isNull();
        assertThat(AnswerTiers.of(List.of(reply(request, "x")), List.of("x"))).isNull();
    }
}
