package io.hivestream.operators.execute;

/**
 * What an agent runtime answered.
 *
 * @param output the answer text
 * @param model the model that answered, if the runtime knows it
 * @param tokensIn prompt tokens, as counted (or estimated) by the runtime
 * @param tokensOut completion tokens
 * @param confidence the runtime's confidence in [0, 1], or null
 * @param simulated whether the answer came from a simulated agent
 */
public record AgentReply(
        String output,
        String model,
        long tokensIn,
        long tokensOut,
        Double confidence,
        boolean simulated) {}
