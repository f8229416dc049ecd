package io.hivestream.jobs.cli;

import io.hivestream.connectors.kafka.KafkaClients;
import io.hivestream.connectors.kafka.KafkaConnection;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.AgentEventType;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.codec.Codecs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Publishes agent records to the registry topic. */
@Command(
        name = "agents",
        mixinStandardHelpOptions = true,
        description =
                "Lists, registers and retires agents on the agents topic (a compacted registry).",
        subcommands = {
            AgentsCommand.ListAgents.class,
            AgentsCommand.Register.class,
            AgentsCommand.Retire.class
        })
final class AgentsCommand implements Runnable {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static void publish(KafkaConnection kafka, String topic, List<AgentEvent> agents)
            throws Exception {
        RegistryRecords.publish(
                kafka, topic, agents, AgentEvent::getAgentId, Codecs.AGENT_EVENT::encodeAvro);
    }

    /** Reads agent records from a JSON array, or from JSON lines. */
    static List<AgentEvent> read(Path file) throws Exception {
        return RegistryRecords.read(file, AgentsCommand::parse);
    }

    private static AgentEvent parse(String json) {
        AgentEvent agent = Codecs.AGENT_EVENT.fromJson(json);
        if (agent.getAgentId().isBlank()) {
            throw new IllegalArgumentException("agentId is blank");
        }
        return agent;
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = {
                "Prints the agents in the registry, one line per agent, with their calls over a recent window.",
                "The registry is the agents topic read to its end; the calls (how many, the share that",
                "succeeded, mean latency, cost) come from the metrics topic over the last --window seconds."
            })
    static final class ListAgents implements Callable<Integer> {
        @picocli.CommandLine.Mixin KafkaOptions kafka;

        @Option(
                names = "--topic",
                defaultValue = "hivestream.agents",
                description = "Agents topic (default: ${DEFAULT-VALUE}).")
        String topic;

        @Option(
                names = "--metrics-topic",
                defaultValue = "hivestream.metrics",
                description = "Metrics topic (default: ${DEFAULT-VALUE}).")
        String metricsTopic;

        @Option(
                names = "--window",
                defaultValue = "300",
                description = "Seconds of calls to count (default: ${DEFAULT-VALUE}).")
        long windowSeconds;

        @Option(names = "--json", description = "Print each agent as one JSON object per line.")
        boolean json;

        @Override
        public Integer call() {
            if (windowSeconds <= 0) {
                throw new IllegalArgumentException(
                        "--window must be a positive number of seconds, got "
                                + windowSeconds
                                + ".");
            }
            AgentStats stats = new AgentStats();
            for (var record :
                    KafkaClients.readAll(
                            kafka.connection(), topic, java.time.Duration.ofSeconds(60))) {
                if (record.value() == null) {
                    if (record.key() != null) {
                        stats.forget(new String(record.key(), StandardCharsets.UTF_8));
                    }
                    continue;
                }
                try {
                    stats.apply(Codecs.AGENT_EVENT.decode(record.value()));
                } catch (RuntimeException notAnAgent) {
                    // The job dead-letters such a record; it is not in the registry.
                }
            }
            long from = System.currentTimeMillis() - windowSeconds * 1000;
            for (var record :
                    TopicWindow.readSince(
                            kafka.connection(),
                            List.of(metricsTopic),
                            from,
                            java.time.Duration.ofSeconds(60))) {
                try {
                    Metric metric = Codecs.METRIC.decode(record.value());
                    if (metric.getTimestamp() >= from) {
                        stats.count(metric);
                    }
                } catch (RuntimeException notAMetric) {
                    // Only the job writes metrics; anything else there is not counted.
                }
            }
            if (json) {
                stats.jsonLines().forEach(System.out::println);
            } else {
                stats.lines().forEach(System.out::println);
                System.out.println(
                        stats.registry().size()
                                + " agent(s) registered; calls of the last "
                                + windowSeconds
                                + " s");
            }
            return 0;
        }
    }

    @Command(
            name = "register",
            mixinStandardHelpOptions = true,
            description =
                    "Publishes agent records given as JSON (an array or one object per line).")
    static final class Register implements Callable<Integer> {
        @picocli.CommandLine.Mixin KafkaOptions kafka;

        @Option(
                names = "--topic",
                defaultValue = "hivestream.agents",
                description = "Agents topic (default: ${DEFAULT-VALUE}).")
        String topic;

        @Parameters(
                index = "0",
                description =
                        "JSON file of agent records: agentId, runtime, capabilities, tier, prices, maxConcurrency, endpoint settings.")
        Path file;

        @Override
        public Integer call() throws Exception {
            List<AgentEvent> agents = read(file);
            publish(kafka.connection(), topic, agents);
            for (AgentEvent agent : agents) {
                System.out.println(
                        "registered "
                                + agent.getAgentId()
                                + " ("
                                + agent.getRuntime()
                                + ", "
                                + agent.getTier()
                                + ", "
                                + agent.getCapabilities()
                                + ")");
            }
            return 0;
        }
    }

    @Command(
            name = "retire",
            mixinStandardHelpOptions = true,
            description = "Takes agents out of the rotation.")
    static final class Retire implements Callable<Integer> {
        @picocli.CommandLine.Mixin KafkaOptions kafka;

        @Option(
                names = "--topic",
                defaultValue = "hivestream.agents",
                description = "Agents topic (default: ${DEFAULT-VALUE}).")
        String topic;

        @Parameters(arity = "1..*", description = "Agent ids.")
        List<String> agentIds;

        @Override
        public Integer call() throws Exception {
            List<AgentEvent> events = new ArrayList<>();
            for (String id : agentIds) {
                events.add(
                        AgentEvent.newBuilder()
                                .setAgentId(id)
                                .setType(AgentEventType.RETIRE)
                                .setTimestamp(System.currentTimeMillis())
                                .build());
            }
            publish(kafka.connection(), topic, events);
            System.out.println("retired " + String.join(", ", agentIds));
            return 0;
        }
    }
}
