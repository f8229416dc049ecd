package io.hivestream.jobs.cli;

import io.hivestream.connectors.kafka.KafkaClients;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Creates the job's topics on a Kafka cluster. */
@Command(
        name = "topics",
        mixinStandardHelpOptions = true,
        description = {
            "Creates the topics of Hivestream (tasks, results, agents, tenants and models compacted, metrics, dead letters, the call journal, routing examples).",
            "Topics that exist already are left as they are."
        })
final class TopicsCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin KafkaOptions kafka;

    @Option(
            names = "--partitions",
            defaultValue = "4",
            description =
                    "Partitions of the tasks, results and metrics topics (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(
            names = "--replication-factor",
            defaultValue = "1",
            description = "Replicas of every partition (default: ${DEFAULT-VALUE}).")
    short replication;

    @Option(
            names = "--min-insync-replicas",
            description = "min.insync.replicas of every topic (default: the broker's).")
    Integer minInsync;

    @Override
    public Integer call() throws Exception {
        List<NewTopic> topics = new ArrayList<>();
        for (String name : DemoCommand.TOPICS) {
            NewTopic topic =
                    new NewTopic(name, DemoCommand.partitions(name, partitions), replication);
            Map<String, String> configs = new java.util.HashMap<>(DemoCommand.configs(name));
            if (minInsync != null) {
                configs.put("min.insync.replicas", Integer.toString(minInsync));
            }
            topics.add(topic.configs(configs));
        }
        try (Admin admin = KafkaClients.admin(kafka.connection())) {
            Set<String> existing = admin.listTopics().names().get();
            for (NewTopic topic : topics) {
                if (existing.contains(topic.name())) {
                    System.out.println("exists  " + topic.name());
                    continue;
                }
                try {
                    admin.createTopics(List.of(topic)).all().get();
                    System.out.println(
                            "created "
                                    + topic.name()
                                    + " ("
                                    + topic.numPartitions()
                                    + " partitions, replication "
                                    + topic.replicationFactor()
                                    + ")");
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                    System.out.println("exists  " + topic.name());
                }
            }
        }
        return 0;
    }
}
