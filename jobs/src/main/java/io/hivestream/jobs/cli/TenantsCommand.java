package io.hivestream.jobs.cli;

import io.hivestream.connectors.kafka.KafkaClients;
import io.hivestream.connectors.kafka.KafkaConnection;
import io.hivestream.operators.admit.SpendReport;
import io.hivestream.operators.admit.UtcWindows;
import io.hivestream.operators.decode.TenantValidator;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.Tenant;
import io.hivestream.schemas.codec.Codecs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Publishes tenant records to the tenants topic and shows what tenants spent. */
@Command(
        name = "tenants",
        mixinStandardHelpOptions = true,
        description =
                "Registers tenants (budgets, quotas, rate limits) on the tenants topic, a compacted"
                        + " registry, and shows what they spent.",
        subcommands = {
            TenantsCommand.Register.class,
            TenantsCommand.ListTenants.class,
            TenantsCommand.Show.class
        })
final class TenantsCommand implements Runnable {
    static final String TOPIC = "hivestream.tenants";

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Reads tenant records from a JSON array, or from JSON lines; refuses any bad one. */
    static List<Tenant> read(Path file) throws Exception {
        TenantValidator validator = new TenantValidator();
        return RegistryRecords.read(file, json -> validator.check(Codecs.TENANT.fromJson(json)));
    }

    /** The latest record of every tenant on the topic, by name. */
    static Map<String, Tenant> registered(KafkaConnection kafka, String topic) {
        Map<String, Tenant> tenants = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> record :
                KafkaClients.readAll(kafka, topic, Duration.ofSeconds(30))) {
            if (record.value() == null) {
                if (record.key() != null) {
                    tenants.remove(new String(record.key(), StandardCharsets.UTF_8));
                }
                continue;
            }
            Tenant tenant = Codecs.TENANT.decode(record.value());
            tenants.put(tenant.getTenant(), tenant);
        }
        return tenants;
    }

    static class Common {
        @picocli.CommandLine.Mixin KafkaOptions kafka;

        @Option(
                names = "--topic",
                defaultValue = TOPIC,
                description = "Tenants topic (default: ${DEFAULT-VALUE}).")
        String topic;
    }

    @Command(
            name = "register",
            mixinStandardHelpOptions = true,
            description =
                    "Publishes tenant records given as JSON (an array or one object per line).")
    static final class Register extends Common implements Callable<Integer> {
        @Parameters(
                index = "0",
                description =
                        "JSON file of tenant records: tenant, budgetUsdPerDay, budgetUsdPerMonth,"
                                + " tokensPerDay, tasksPerSecond, burst, maxInFlight, capabilities,"
                                + " agents, tools, preference.")
        Path file;

        @Override
        public Integer call() throws Exception {
            List<Tenant> tenants = read(file);
            long now = System.currentTimeMillis();
            for (Tenant tenant : tenants) {
                tenant.setUpdatedAt(now);
            }
            RegistryRecords.publish(
                    kafka.connection(),
                    topic,
                    tenants,
                    Tenant::getTenant,
                    Codecs.TENANT::encodeAvro);
            for (Tenant tenant : tenants) {
                System.out.println("registered " + tenant.getTenant());
            }
            return 0;
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "Prints every registered tenant's record as one line of JSON.")
    static final class ListTenants extends Common implements Callable<Integer> {
        @Override
        public Integer call() {
            for (Tenant tenant : registered(kafka.connection(), topic).values()) {
                System.out.println(Codecs.TENANT.toJsonString(tenant));
            }
            return 0;
        }
    }

    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description =
                    "Prints a tenant's limits, what its calls cost in the current UTC day and"
                            + " month (from the metrics topic) and what is left of its budgets.")
    static final class Show extends Common implements Callable<Integer> {
        @Option(
                names = "--metrics-topic",
                defaultValue = "hivestream.metrics",
                description = "Metrics topic (default: ${DEFAULT-VALUE}).")
        String metricsTopic;

        @Parameters(index = "0", description = "The tenant.")
        String name;

        @Override
        public Integer call() {
            Tenant tenant = registered(kafka.connection(), topic).get(name);
            if (tenant == null) {
                throw new IllegalArgumentException(
                        "tenant "
                                + name
                                + " is not registered on "
                                + topic
                                + "; register it with ./hivestream tenants register");
            }
            long now = System.currentTimeMillis();
            // Only this UTC month's calls count; a record written since its start may hold a call
            // of the month before, which the report leaves out by the call's own time.
            List<Metric> metrics = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> record :
                    TopicWindow.readSince(
                            kafka.connection(),
                            List.of(metricsTopic),
                            UtcWindows.startOfMonth(now),
                            Duration.ofSeconds(60))) {
                try {
                    metrics.add(Codecs.METRIC.decode(record.value()));
                } catch (RuntimeException notAMetric) {
                    // Only the job writes metrics; anything else there is not counted.
                }
            }
            SpendReport.lines(tenant, SpendReport.of(name, metrics, now), now)
                    .forEach(System.out::println);
            return 0;
        }
    }
}
