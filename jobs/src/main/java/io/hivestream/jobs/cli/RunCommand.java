package io.hivestream.jobs.cli;

import io.hivestream.jobs.HivestreamJob;
import io.hivestream.jobs.HivestreamOptions;
import io.hivestream.jobs.JobSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the job on a Flink local cluster in this process, against an existing Kafka. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the job in this process against an existing Kafka, until Ctrl-C.",
            "The job runs on a Flink local cluster with its web UI. For a Flink cluster, submit the",
            "job jar instead (see the deploy command and docs/deploying.md)."
        })
final class RunCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin KafkaOptions kafka;

    @Option(
            names = "--config",
            description =
                    "Java properties file of job options (every option: docs/configuration.md).")
    String config;

    @Option(
            names = "--web-port",
            defaultValue = "8081",
            description = "Port of the Flink web UI (default: ${DEFAULT-VALUE}).")
    int webPort;

    @Option(names = "-D", description = "A job option, KEY=VALUE; repeatable.")
    List<String> options = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        List<String> args = new ArrayList<>();
        if (config != null) {
            args.add("--config");
            args.add(config);
        }
        kafka.config
                .jobOptions()
                .forEach(
                        (k, v) -> {
                            args.add("--" + k);
                            args.add(v);
                        });
        for (String option : options) {
            int eq = option.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("-D takes KEY=VALUE, got '" + option + "'");
            }
            args.add("--" + option.substring(0, eq));
            args.add(option.substring(eq + 1));
        }
        Configuration conf = HivestreamJob.parseArgs(args.toArray(String[]::new));
        conf.set(HivestreamOptions.BOOTSTRAP_SERVERS, kafka.bootstrap);
        conf.set(RestOptions.PORT, DemoCommand.freePort(webPort));
        Configuration settings = JobSettings.apply(conf);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(settings);
        JobClient job = HivestreamJob.start(env, settings);
        System.out.println("web ui: http://localhost:" + settings.get(RestOptions.PORT));
        System.out.println("job " + job.getJobID() + " running; Ctrl-C stops it");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> job.cancel().join()));
        job.getJobExecutionResult().get();
        return 0;
    }
}
