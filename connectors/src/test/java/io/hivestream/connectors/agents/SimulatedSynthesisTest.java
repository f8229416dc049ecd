package io.hivestream.connectors.agents;

import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SimulatedSynthesisTest {
    @Test
    void theTaskThenEachStepsOutputInTheGivenOrder() {
        assertThat(
                        SimulatedSynthesis.answer(
                                task("r/synthesis", "synthesize", "Synthesize.")
                                        .setRole("synthesizer")
                                        .setMetadata(
                                                Map.of(
                                                        "plan.task", "Explain exactly-once.",
                                                        "plan.steps", "write, research",
                                                        "context.research", "Kafka transactions.",
                                                        "context.write", "Results commit once."))
                                        .build()))
                .isEqualTo(
                        "Answer to: Explain exactly-once.\n- Results commit once.\n- Kafka transactions.");
    }

    @Test
    void aStepWithoutOutputIsLeftOutAndWithoutStepsOnlyTheTaskIsNamed() {
        assertThat(
                        SimulatedSynthesis.answer(
                                task("r/synthesis", "synthesize", "Synthesize.")
                                        .setMetadata(
                                                Map.of(
                                                        "plan.task", "Explain exactly-once.",
                                                        "plan.steps", "research,write",
                                                        "context.write", "Results commit once."))
                                        .build()))
                .isEqualTo("Answer to: Explain exactly-once.\n- Results commit once.");
        assertThat(SimulatedSynthesis.answer(task("r/synthesis", "synthesize", "Hi.").build()))
                .isEqualTo("Answer to: Hi.");
    }
}
