package io.hivestream.operators.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hivestream.operators.consensus.Vote.Ballot;
import io.hivestream.operators.consensus.Vote.Outcome;
import io.hivestream.operators.consensus.Vote.Spec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * With 3f+1 replicas, 2f+1 honest agents that all give the right answer (each in its own words
 * where a strategy allows) and f Byzantine agents, the Byzantine agents never change the winner,
 * whatever they do, in whichever order the replies arrive and wherever the window closes. Each
 * property drives a vote as the consensus stage does: after every reply with the replies still
 * pending, closing at the first decision, and once more with all of them.
 */
class ByzantineVotePropertyTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the Byzantine agents do. */
    enum Fault {
        /** Each gives its own wrong answer. */
        WRONG,
        /** All give the same wrong answer. */
        COLLUDE,
        /** Garbage, an empty answer or a failure. */
        MALFORMED
    }

    /** The decision the consensus stage would reach, replies arriving in the given order. */
    private static Outcome asTheStageDecides(Vote vote, List<Ballot> arrival, Spec spec) {
        List<Ballot> received = new ArrayList<>();
        Outcome outcome = null;
        for (Ballot ballot : arrival) {
            received.add(ballot);
            outcome = vote.decide(received, spec.withPending(spec.replicas() - received.size()));
            if (outcome.decided()) {
                return outcome;
            }
        }
        return outcome;
    }

    /** The replicas' ballots: honest ones from {@code honest}, faulty ones from {@code faulty}. */
    private static List<Ballot> ballots(
            int f,
            Random random,
            Function<Integer, String> honest,
            Function<Integer, Ballot> faulty) {
        int replicas = 3 * f + 1;
        List<Integer> byzantine = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            byzantine.add(i);
        }
        Collections.shuffle(byzantine, random);
        List<Integer> faultyReplicas = byzantine.subList(0, f);
        List<Ballot> ballots = new ArrayList<>();
        for (int replica = 0; replica < replicas; replica++) {
            ballots.add(
                    faultyReplicas.contains(replica)
                            ? faulty.apply(replica)
                            : Ballot.answered(replica, "honest-" + replica, honest.apply(replica)));
        }
        Collections.shuffle(ballots, random);
        return ballots;
    }

    private static Ballot malformed(int replica, Random random, String garbage) {
        String agent = "byzantine-" + replica;
        return switch (random.nextInt(3)) {
            case 0 -> Ballot.answered(replica, agent, garbage);
            case 1 -> Ballot.answered(replica, agent, "  ");
            default -> Ballot.failed(replica, agent, "malformed reply");
        };
    }

    private static int quorum(int f, Random random) {
        // Any strict majority: from the default (a bare majority) up to every replica but f.
        int replicas = 3 * f + 1;
        int lowest = replicas / 2 + 1;
        return lowest + random.nextInt(2 * f + 1 - lowest + 1);
    }

    private static String spelling(String answer, Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> answer.toUpperCase();
            case 1 -> "  " + answer + ".";
            case 2 -> answer.replace(" ", "   ");
            default -> answer;
        };
    }

    private static String wrongWords(Random random) {
        return "wrong " + Integer.toString(random.nextInt(1_000_000), 36);
    }

    @Property(tries = 300)
    void exactVote(
            @ForAll @IntRange(min = 1, max = 4) int f, @ForAll Fault fault, @ForAll long seed) {
        Random random = new Random(seed);
        String truth = "the answer is " + Integer.toString(random.nextInt(1_000_000), 36);
        String colluded = wrongWords(random);
        List<Ballot> arrival =
                ballots(
                        f,
                        random,
                        replica -> spelling(truth, random),
                        replica ->
                                switch (fault) {
                                    case WRONG ->
                                            Ballot.answered(
                                                    replica,
                                                    "byzantine-" + replica,
                                                    wrongWords(random));
                                    case COLLUDE ->
                                            Ballot.answered(
                                                    replica, "byzantine-" + replica, colluded);
                                    case MALFORMED ->
                                            malformed(replica, random, "\u0000<<garbage>>");
                                });

        Outcome outcome =
                asTheStageDecides(new ExactVote(), arrival, Spec.of(3 * f + 1, quorum(f, random)));

        assertThat(outcome.decided()).isTrue();
        assertThat(MajorityVote.normalise(outcome.winner())).isEqualTo(truth);
        assertThat(outcome.agreeing()).allMatch(agent -> agent.startsWith("honest-"));
    }

    @Property(tries = 300)
    void weightedVoteWhateverReputationsTheAgentsHave(
            @ForAll @IntRange(min = 1, max = 4) int f, @ForAll Fault fault, @ForAll long seed) {
        Random random = new Random(seed);
        String truth = "the answer is " + Integer.toString(random.nextInt(1_000_000), 36);
        String colluded = wrongWords(random);
        List<Ballot> arrival =
                ballots(
                        f,
                        random,
                        replica -> spelling(truth, random),
                        replica ->
                                switch (fault) {
                                    case WRONG ->
                                            Ballot.answered(
                                                    replica,
                                                    "byzantine-" + replica,
                                                    wrongWords(random));
                                    case COLLUDE ->
                                            Ballot.answered(
                                                    replica, "byzantine-" + replica, colluded);
                                    case MALFORMED ->
                                            malformed(replica, random, "\u0000<<garbage>>");
                                });
        Map<String, Double> weights = new HashMap<>();
        for (Ballot ballot : arrival) {
            // Adversarial reputations: the Byzantine agents earned the best, the honest ones any.
            weights.put(
                    ballot.agentId(),
                    ballot.agentId().startsWith("byzantine-")
                            ? Reputation.weight(1.0)
                            : Reputation.weight(random.nextDouble()));
        }

        Outcome outcome =
                asTheStageDecides(
                        new WeightedVote(),
                        arrival,
                        Spec.of(3 * f + 1, quorum(f, random)).withWeights(weights));

        assertThat(outcome.decided()).isTrue();
        assertThat(MajorityVote.normalise(outcome.winner())).isEqualTo(truth);
        assertThat(outcome.agreeing()).allMatch(agent -> agent.startsWith("honest-"));
    }

    @Property(tries = 300)
    void semanticVote(
            @ForAll @IntRange(min = 1, max = 4) int f, @ForAll Fault fault, @ForAll long seed) {
        Random random = new Random(seed);
        int dimensions = 16;
        TableEmbedder embedder = new TableEmbedder(dimensions);
        // Honest paraphrases lie close to the first axis; wrong answers off it, at random.
        List<String> paraphrases = new ArrayList<>();
        for (int i = 0; i < 3 * f + 1; i++) {
            String paraphrase = "paraphrase " + i + " of the truth";
            float[] vector = new float[dimensions];
            vector[0] = 1f;
            for (int d = 1; d < dimensions; d++) {
                vector[d] = (float) (random.nextDouble() * 0.1 - 0.05);
            }
            embedder.put(paraphrase, vector);
            paraphrases.add(paraphrase);
        }
        Function<String, String> offTopic =
                text -> {
                    float[] vector = new float[dimensions];
                    for (int d = 1; d < dimensions; d++) {
                        vector[d] = (float) random.nextGaussian();
                    }
                    embedder.put(text, vector);
                    return text;
                };
        String colluded = offTopic.apply("the colluders' answer");
        List<Ballot> arrival =
                ballots(
                        f,
                        random,
                        paraphrases::get,
                        replica ->
                                switch (fault) {
                                    case WRONG ->
                                            Ballot.answered(
                                                    replica,
                                                    "byzantine-" + replica,
                                                    offTopic.apply("wrong answer " + replica));
                                    case COLLUDE ->
                                            Ballot.answered(
                                                    replica, "byzantine-" + replica, colluded);
                                    case MALFORMED ->
                                            malformed(replica, random, "\u0000<<garbage>>");
                                });

        Outcome outcome =
                asTheStageDecides(
                        new SemanticVote(embedder), arrival, Spec.of(3 * f + 1, quorum(f, random)));

        assertThat(outcome.decided()).isTrue();
        assertThat(paraphrases).contains(outcome.winner());
        assertThat(outcome.agreeing()).allMatch(agent -> agent.startsWith("honest-"));
    }

    @Property(tries = 300)
    void numericVoteStaysWithinTheToleranceOfTheTruth(
            @ForAll @IntRange(min = 1, max = 4) int f, @ForAll Fault fault, @ForAll long seed) {
        Random random = new Random(seed);
        long truth = random.nextInt(2_001) - 1_000;
        double tolerance = random.nextInt(3) == 0 ? 0 : random.nextInt(50) / 10.0;
        // Byzantine numbers anywhere, near the truth (within the tolerance or just outside) or far.
        Function<Integer, Double> anyNumber =
                replica ->
                        switch (random.nextInt(3)) {
                            case 0 -> truth + (random.nextDouble() * 2 - 1) * tolerance;
                            case 1 ->
                                    truth
                                            + (random.nextBoolean() ? 1 : -1)
                                                    * (tolerance + 1 + random.nextInt(5));
                            default -> random.nextDouble() * 1e9 - 5e8;
                        };
        String colluded = NumericVote.format(anyNumber.apply(-1));
        List<Ballot> arrival =
                ballots(
                        f,
                        random,
                        replica ->
                                switch (random.nextInt(3)) {
                                    case 0 -> Long.toString(truth);
                                    case 1 -> truth + ".0";
                                    default -> " " + truth + ". ";
                                },
                        replica ->
                                switch (fault) {
                                    case WRONG ->
                                            Ballot.answered(
                                                    replica,
                                                    "byzantine-" + replica,
                                                    NumericVote.format(anyNumber.apply(replica)));
                                    case COLLUDE ->
                                            Ballot.answered(
                                                    replica, "byzantine-" + replica, colluded);
                                    case MALFORMED -> malformed(replica, random, "twelve-ish");
                                });

        Outcome outcome =
                asTheStageDecides(
                        new NumericVote(),
                        arrival,
                        Spec.of(3 * f + 1, quorum(f, random)).withTolerance(tolerance));

        assertThat(outcome.decided()).isTrue();
        assertThat(Math.abs(NumericVote.parse(outcome.winner()) - truth))
                .isLessThanOrEqualTo(tolerance + 1e-6);
        if (tolerance == 0) {
            assertThat(outcome.winner()).isEqualTo(Long.toString(truth));
        }
    }

    @Property(tries = 300)
    void jsonFieldVote(
            @ForAll @IntRange(min = 1, max = 4) int f, @ForAll Fault fault, @ForAll long seed)
            throws Exception {
        Random random = new Random(seed);
        ObjectNode truth = JSON.createObjectNode();
        int fields = 1 + random.nextInt(4);
        for (int i = 0; i < fields; i++) {
            if (random.nextBoolean()) {
                truth.put("field" + i, random.nextInt(100));
            } else {
                truth.put("field" + i, "value " + random.nextInt(100));
            }
        }
        Function<Integer, String> honest =
                replica -> {
                    // The same object with its fields in another order, spaced another way.
                    List<String> names = new ArrayList<>();
                    truth.fieldNames().forEachRemaining(names::add);
                    Collections.shuffle(names, random);
                    ObjectNode copy = JSON.createObjectNode();
                    for (String name : names) {
                        copy.set(name, truth.get(name));
                    }
                    return random.nextBoolean() ? copy.toString() : copy.toPrettyString();
                };
        Function<Integer, String> mutated =
                replica -> {
                    ObjectNode copy = truth.deepCopy();
                    List<String> names = new ArrayList<>();
                    truth.fieldNames().forEachRemaining(names::add);
                    for (String name : names) {
                        switch (random.nextInt(4)) {
                            case 0 -> copy.remove(name);
                            case 1 -> copy.put(name, "forged");
                            default -> {}
                        }
                    }
                    if (random.nextBoolean()) {
                        copy.put("extra" + random.nextInt(3), "injected");
                    }
                    return copy.toString();
                };
        String colluded = mutated.apply(-1);
        List<Ballot> arrival =
                ballots(
                        f,
                        random,
                        honest,
                        replica ->
                                switch (fault) {
                                    case WRONG ->
                                            Ballot.answered(
                                                    replica,
                                                    "byzantine-" + replica,
                                                    mutated.apply(replica));
                                    case COLLUDE ->
                                            Ballot.answered(
                                                    replica, "byzantine-" + replica, colluded);
                                    case MALFORMED -> malformed(replica, random, "{\"field0\": ");
                                });

        Outcome outcome =
                asTheStageDecides(
                        new JsonFieldVote(), arrival, Spec.of(3 * f + 1, quorum(f, random)));

        assertThat(outcome.decided()).isTrue();
        JsonNode winner = JSON.readTree(outcome.winner());
        assertThat(winner).isEqualTo(truth);
    }
}
