package io.hivestream.jobs.cli;

import io.hivestream.connectors.kafka.KafkaClients;
import io.hivestream.jobs.HivestreamJob;
import io.hivestream.jobs.JobAcls;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Grants a principal the Kafka ACLs the job needs. */
@Command(
        name = "acls",
        mixinStandardHelpOptions = true,
        description = {
            "Grants a principal exactly the Kafka ACLs the job needs.",
            "These are its topics, its consumer groups and its transactional ids (from the job",
            "options given, or the defaults). Run it as a user allowed to alter ACLs (--kafka-config)."
        })
final class AclsCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin KafkaOptions kafka;

    @Option(
            names = "--principal",
            required = true,
            description = "The job's principal, e.g. User:hivestream.")
    String principal;

    @Option(
            names = "--config",
            description =
                    "Java properties file of job options (topics, group id, transactional id prefix).")
    String config;

    @Option(names = "--dry-run", description = "Print the ACLs without creating them.")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        if (!principal.contains(":")) {
            throw new IllegalArgumentException(
                    "--principal takes TYPE:NAME, e.g. User:hivestream; got '" + principal + "'");
        }
        List<String> args = new ArrayList<>();
        if (config != null) {
            args.add("--config");
            args.add(config);
        }
        Configuration conf = HivestreamJob.parseArgs(args.toArray(String[]::new));
        List<AclBinding> acls = JobAcls.of(principal, conf);
        if (!dryRun) {
            try (Admin admin = KafkaClients.admin(kafka.connection())) {
                admin.createAcls(acls).all().get();
            }
        }
        for (AclBinding acl : acls) {
            System.out.println(
                    (dryRun ? "would allow " : "allowed ")
                            + principal
                            + " "
                            + acl.entry().operation()
                            + " on "
                            + acl.pattern().resourceType()
                            + " "
                            + acl.pattern().name()
                            + (acl.pattern().patternType().name().equals("PREFIXED")
                                    ? "* (prefix)"
                                    : ""));
        }
        return 0;
    }
}
