package io.hivestream.operators.admit;

import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.AgentEvent;
import org.junit.jupiter.api.Test;

class CallBudgetTest {
    private static final AgentEvent GPT =
            AgentEvent.newBuilder()
                    .setAgentId("gpt")
                    .setCostPer1kInputTokens(0.5)
                    .setCostPer1kOutputTokens(1.5)
                    .build();

    @Test
    void theEstimateIsInputTokensAtTheInputPricePlusMaxTokensAtTheOutputPrice() {
        assertThat(CallBudget.estimate(GPT, 2000, 500)).isEqualTo(1.0 + 0.75);
        assertThat(CallBudget.inputTokens("12345678")).isEqualTo(2);
        assertThat(CallBudget.inputTokens("123456789")).isEqualTo(3);
        assertThat(CallBudget.inputTokens("")).isEqualTo(0);
    }

    @Test
    void aCallThatWouldCrossTheBudgetIsNotStartedAndOneThatReachesItIs() {
        CallBudget budget = new CallBudget(2.0, 0.0);
        assertThat(budget.refusal("gpt", 1.75)).isNull();
        budget.book(0.25);
        // 0.25 spent + 1.75 estimated = 2.0: exactly the budget.
        assertThat(budget.refusal("gpt", 1.75)).isNull();
        budget.book(1.0);
        assertThat(budget.spentUsd()).isEqualTo(1.25);
        assertThat(budget.refusal("gpt", 0.75)).isNull();
        assertThat(budget.refusal("gpt", 0.875))
                .isEqualTo(
                        "the call to gpt was not started: its estimated price of 0.875 USD would"
                                + " bring the task's spend from 1.25 USD over its budget of 2 USD");
    }

    @Test
    void aCallInFlightHoldsItsEstimateUntilItsActualCostIsBooked() {
        CallBudget budget = new CallBudget(2.0, 0.0);
        budget.reserve(1.5);
        assertThat(budget.refusal("gpt", 0.5)).isNull();
        assertThat(budget.refusal("gpt", 0.625))
                .isEqualTo(
                        "the call to gpt was not started: its estimated price of 0.625 USD would"
                                + " bring the task's spend from 1.5 USD (calls in flight included)"
                                + " over its budget of 2 USD");
        budget.settle(1.5, 0.25);
        assertThat(budget.reservedUsd()).isZero();
        assertThat(budget.spentUsd()).isEqualTo(0.25);
        assertThat(budget.refusal("gpt", 1.75)).isNull();
    }

    @Test
    void theMostOutputTokensAreTheAgentsMaxTokensOr1024() {
        assertThat(CallBudget.outputTokens(GPT)).isEqualTo(1024);
        AgentEvent capped = AgentEvent.newBuilder(GPT).setMaxTokens(300).build();
        assertThat(CallBudget.outputTokens(capped)).isEqualTo(300);
        // 3 input tokens at 0.5 per 1k and 300 output tokens at 1.5 per 1k.
        assertThat(CallBudget.estimate(capped, "123456789"))
                .isEqualTo(3 / 1000.0 * 0.5 + 300 / 1000.0 * 1.5);
    }

    @Test
    void withoutABudgetEveryCallMayStart() {
        CallBudget budget = new CallBudget(null, 1_000_000.0);
        assertThat(budget.refusal("gpt", 1_000_000.0)).isNull();
    }
}
