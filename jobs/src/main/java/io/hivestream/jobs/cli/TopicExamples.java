package io.hivestream.jobs.cli;

import io.hivestream.connectors.analyse.LabelledPrompt;
import io.hivestream.schemas.RoutingExample;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.codec.Codecs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Labelled routing examples as read from their topic: the prompts they make, how many of each label
 * and evidence, the records that are not examples, each named by topic, partition and offset, and
 * how many examples from simulated agents were left out.
 */
record TopicExamples(
        List<LabelledPrompt> prompts,
        Map<String, Integer> counts,
        List<String> skipped,
        int simulatedLeftOut) {

    /**
     * The prompts of {@code records}; records that do not decode, or lack an input, are skipped.
     *
     * @param simulated whether examples from simulated agents count; else they are left out
     */
    static TopicExamples of(List<ConsumerRecord<byte[], byte[]>> records, boolean simulated) {
        List<LabelledPrompt> prompts = new ArrayList<>();
        Map<String, Integer> counts = new TreeMap<>();
        List<String> skipped = new ArrayList<>();
        int simulatedLeftOut = 0;
        for (ConsumerRecord<byte[], byte[]> record : records) {
            try {
                RoutingExample example = Codecs.ROUTING_EXAMPLE.decode(record.value());
                if (example.getInput().isBlank()) {
                    throw new IllegalArgumentException("the example's input is blank");
                }
                if (example.getSimulated() && !simulated) {
                    simulatedLeftOut++;
                    continue;
                }
                prompts.add(
                        new LabelledPrompt(
                                example.getInput(),
                                example.getKind(),
                                List.copyOf(example.getCapabilities()),
                                example.getLabel() == Tier.CLOUD,
                                "topic:" + example.getEvidence()));
                counts.merge(example.getLabel() + " " + example.getEvidence(), 1, Integer::sum);
            } catch (RuntimeException e) {
                skipped.add(
                        record.topic()
                                + " partition "
                                + record.partition()
                                + " offset "
                                + record.offset()
                                + ": "
                                + e.getMessage());
            }
        }
        return new TopicExamples(
                List.copyOf(prompts), counts, List.copyOf(skipped), simulatedLeftOut);
    }

    /**
     * E.g. "3 read (CLOUD cascade-escalated: 2, EDGE edge-matched-vote: 1), 1 skipped", and how
     * many from simulated agents were left out, if any.
     */
    String summary() {
        String byKind =
                counts.entrySet().stream()
                        .map(e -> e.getKey() + ": " + e.getValue())
                        .collect(Collectors.joining(", "));
        return prompts.size()
                + " read"
                + (byKind.isEmpty() ? "" : " (" + byKind + ")")
                + ", "
                + skipped.size()
                + " skipped"
                + (simulatedLeftOut == 0
                        ? ""
                        : ", "
                                + simulatedLeftOut
                                + " from simulated agents left out (--simulated-examples takes"
                                + " them)");
    }
}
