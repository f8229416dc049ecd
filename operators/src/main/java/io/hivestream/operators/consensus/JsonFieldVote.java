package io.hivestream.operators.consensus;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Field-wise vote on JSON objects: each field is voted on by itself (values compared as JSON, so
 * spacing and key order do not count). A field whose value a quorum of agents give is in the
 * winner; a field too few agents give at all is left out; a field enough agents give but on whose
 * value no quorum agrees leaves the vote undecided. The winner is the object of the decided fields,
 * in the order of the first answer that agrees with all of them. An answer that is not a JSON
 * object does not count.
 *
 * <p>A field counts as given too rarely only when it could not reach the quorum even if every
 * pending replica gave it, so a decision on part of the replies is final.
 */
public final class JsonFieldVote implements Vote {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @Override
    public Outcome decide(List<Ballot> ballots, Spec spec) {
        boolean[] votes = Votes.firstPerAgent(ballots);
        ObjectNode[] objects = new ObjectNode[ballots.size()];
        Map<String, Map<JsonNode, Set<String>>> fields = new LinkedHashMap<>();
        Map<String, Set<String>> presence = new LinkedHashMap<>();
        for (int i = 0; i < ballots.size(); i++) {
            Ballot ballot = ballots.get(i);
            objects[i] = ballot.hasAnswer() ? parse(ballot.output()) : null;
            if (!votes[i] || objects[i] == null) {
                continue;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = objects[i].fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                presence.computeIfAbsent(field.getKey(), k -> new LinkedHashSet<>())
                        .add(ballot.agentId());
                fields.computeIfAbsent(field.getKey(), k -> new LinkedHashMap<>())
                        .computeIfAbsent(field.getValue(), k -> new LinkedHashSet<>())
                        .add(ballot.agentId());
            }
        }
        Map<String, JsonNode> decidedFields = new LinkedHashMap<>();
        List<String> unresolved = new ArrayList<>();
        int strongest = 0;
        for (Map.Entry<String, Map<JsonNode, Set<String>>> field : fields.entrySet()) {
            JsonNode bestValue = null;
            int bestSupport = 0;
            for (Map.Entry<JsonNode, Set<String>> value : field.getValue().entrySet()) {
                if (value.getValue().size() > bestSupport) {
                    bestValue = value.getKey();
                    bestSupport = value.getValue().size();
                }
            }
            strongest = Math.max(strongest, bestSupport);
            int given = presence.get(field.getKey()).size();
            if (bestSupport >= spec.quorum()) {
                decidedFields.put(field.getKey(), bestValue);
            } else if (given + spec.pending() >= spec.quorum()) {
                unresolved.add(
                        "no value of field '"
                                + field.getKey()
                                + "' reached the quorum of "
                                + spec.quorum()
                                + " (largest agreement: "
                                + bestSupport
                                + " of "
                                + spec.replicas()
                                + ")");
            }
        }
        boolean decided = unresolved.isEmpty() && !decidedFields.isEmpty();

        Set<String> agreeing = new LinkedHashSet<>();
        int first = -1;
        List<Verdict> verdicts = new ArrayList<>(ballots.size());
        for (int i = 0; i < ballots.size(); i++) {
            Ballot ballot = ballots.get(i);
            Verdict unusable = Votes.unusable(ballot, decided);
            if (unusable != null) {
                verdicts.add(unusable);
                continue;
            }
            if (objects[i] == null) {
                verdicts.add(
                        new Verdict(
                                decided ? false : null,
                                Votes.quote(ballot.output()) + " is not a JSON object"));
                continue;
            }
            if (!decided) {
                verdicts.add(Verdict.UNDECIDED);
                continue;
            }
            List<String> differing = differing(decidedFields, objects[i]);
            if (differing.isEmpty()) {
                verdicts.add(Verdict.AGREED);
                if (votes[i]) {
                    agreeing.add(ballot.agentId());
                }
                if (first < 0) {
                    first = i;
                }
            } else {
                verdicts.add(
                        new Verdict(
                                false,
                                "differs from the winner in "
                                        + (differing.size() == 1 ? "field " : "fields ")
                                        + String.join(", ", differing)));
            }
        }
        String winner = null;
        if (decided) {
            ObjectNode object = JSON.createObjectNode();
            if (first >= 0) {
                for (Iterator<String> names = objects[first].fieldNames(); names.hasNext(); ) {
                    String name = names.next();
                    if (decidedFields.containsKey(name)) {
                        object.set(name, decidedFields.get(name));
                    }
                }
            }
            // Fields decided by different quorums: no single answer agrees with all of them.
            decidedFields.forEach(
                    (name, value) -> {
                        if (!object.has(name)) {
                            object.set(name, value);
                        }
                    });
            winner = object.toString();
        }
        String why = null;
        if (!decided) {
            why =
                    unresolved.isEmpty()
                            ? Votes.noQuorum(spec.quorum(), strongest, spec.replicas())
                            : String.join("; ", unresolved);
        }
        return new Outcome(
                winner,
                verdicts,
                decided ? List.copyOf(agreeing) : List.of(),
                decided ? agreeing.size() : strongest,
                why);
    }

    @Override
    public boolean agrees(String winner, String output, Spec spec) {
        ObjectNode expected = parse(winner);
        ObjectNode given = output == null ? null : parse(output);
        if (expected == null || given == null) {
            return false;
        }
        Map<String, JsonNode> fields = new LinkedHashMap<>();
        expected.fields().forEachRemaining(e -> fields.put(e.getKey(), e.getValue()));
        return differing(fields, given).isEmpty();
    }

    private static List<String> differing(Map<String, JsonNode> decided, ObjectNode object) {
        List<String> differing = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : decided.entrySet()) {
            if (!field.getValue().equals(object.get(field.getKey()))) {
                differing.add(field.getKey());
            }
        }
        return differing;
    }

    /** The answer as a JSON object, or null when it is not one. */
    static ObjectNode parse(String answer) {
        try {
            JsonNode node = JSON.readTree(answer);
            return node instanceof ObjectNode object ? object : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
