package io.hivestream.loadtests;

import io.hivestream.connectors.agents.providers.OpenAiChatRuntime;
import io.hivestream.jobs.HivestreamOptions;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Tier;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.util.TimeUtils;

/**
 * The cost of an HTTP agent call: the project's OpenAI-compatible loopback server (instant answers,
 * in a process of its own) as the only agent of the job, against Portkey's open-source gateway in
 * front of the same server, driven at the same concurrency.
 *
 * <pre>
 * HttpBench [--tasks 20000] [--connections 16] [--capacity 8] [--parallelism 2]
 *           [--checkpoint-interval 1s] [--warmup 2000] [--timeout 15min] [--out DIR] [--jfr]
 *           [--no-portkey] [--no-warm-up] [--conf KEY=VALUE]...
 * </pre>
 *
 * Three runs, one after the other, each of {@code --tasks} calls: (1) a Java driver straight to the
 * loopback server, the floor; (2) the same driver through Portkey (skipped, with the reason, when
 * {@code node} or {@code npm} is missing or with {@code --no-portkey}); (3) the job on a local
 * broker, exactly-once, single-replica tasks routed to one {@code openai} agent on the loopback
 * server, {@code --capacity} calls in flight per parallel instance. The job first drains a backlog
 * of {@code --tasks} unmeasured on the same JVM and broker, as Portkey first answers {@code
 * --warmup} calls ({@code --no-warm-up} leaves that run out). Writes {@code report.md} and prints
 * the ratios job ÷ Portkey last.
 */
public final class HttpBench {
    private HttpBench() {}

    /** The command line. */
    record Args(
            long tasks,
            int connections,
            int capacity,
            int parallelism,
            Duration checkpointInterval,
            long warmup,
            Duration timeout,
            Path out,
            boolean jfr,
            boolean portkey,
            boolean warmUp,
            Map<String, String> conf) {

        static Args parse(String[] argv) {
            BenchArgs options =
                    BenchArgs.parse(
                            argv,
                            0,
                            Set.of("--jfr", "--no-portkey", "--no-warm-up"),
                            true,
                            "bench http [--tasks N] [--connections N]"
                                    + " [--capacity N] [--parallelism P] [--checkpoint-interval 1s]"
                                    + " [--warmup N] [--timeout 15min] [--out DIR] [--jfr]"
                                    + " [--no-portkey] [--no-warm-up] [--conf KEY=VALUE]...");
            Args args =
                    new Args(
                            Long.parseLong(options.take("tasks", "20000")),
                            Integer.parseInt(options.take("connections", "16")),
                            Integer.parseInt(options.take("capacity", "8")),
                            Integer.parseInt(options.take("parallelism", "2")),
                            TimeUtils.parseDuration(options.take("checkpoint-interval", "1s")),
                            Long.parseLong(options.take("warmup", "2000")),
                            TimeUtils.parseDuration(options.take("timeout", "15min")),
                            options.path("out"),
                            options.flag("--jfr"),
                            !options.flag("--no-portkey"),
                            !options.flag("--no-warm-up"),
                            options.conf());
            options.done();
            if (args.tasks() < 10 || args.connections() < 1 || args.capacity() < 1) {
                throw new IllegalArgumentException(
                        "--tasks must be at least 10, --connections and --capacity at least 1");
            }
            return args;
        }
    }

    /**
     * One row of the report.
     *
     * @param cpuPer1k CPU-seconds per 1,000 calls of the measured processes together
     * @param parts what the CPU splits into, name to CPU-seconds per 1,000 calls
     * @param serverPer1k the loopback server's CPU-seconds per 1,000 calls, apart
     */
    record Row(
            String name,
            long calls,
            double callsPerSecond,
            double cpuPer1k,
            Map<String, Double> parts,
            double serverPer1k) {}

    /** The goals' ratios: job ÷ Portkey, CPU per call and calls per second. */
    static String[] ratios(Row job, Row portkey) {
        return new String[] {
            "CPU-s per 1k calls, job+broker ÷ Portkey: "
                    + format(job.cpuPer1k() / portkey.cpuPer1k())
                    + " (goal ≤ 0.5)",
            "calls/s, job ÷ Portkey: "
                    + format(job.callsPerSecond() / portkey.callsPerSecond())
                    + " (goal ≥ 1)"
        };
    }

    /** The body the job's openai runtime sends for a task without a system message. */
    static String requestBody() {
        return "{\"model\":\"loopback-model\",\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"What is 2 + 2?\"}]}";
    }

    /** The one agent of the job's run: the loopback server, for every kind of the mix. */
    static AgentEvent agent(String baseUrl, TaskMix mix) {
        return AgentEvent.newBuilder()
                .setAgentId("loopback")
                .setRuntime(OpenAiChatRuntime.RUNTIME)
                .setBaseUrl(baseUrl)
                .setModel("loopback-model")
                .setCapabilities(new ArrayList<>(new TreeMap<>(mix.kinds()).keySet()))
                .setTier(Tier.EDGE)
                .setMaxConcurrency(100_000)
                .setTimeoutMs(30_000)
                .build();
    }

    public static void main(String[] argv) throws Exception {
        Args args;
        try {
            args = Args.parse(argv);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Path out = args.out() != null ? args.out() : ReportWriter.defaultFolder("http");
        Files.createDirectories(out);
        List<Row> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Row portkey = null;
        Row job;
        try (LoopbackServer server = LoopbackServer.start()) {
            System.out.println(
                    "loopback server " + server.baseUrl() + " (pid " + server.pid() + ")");
            rows.add(direct(args, server));
            print(rows.get(rows.size() - 1));
            String missing = args.portkey() ? PortkeyGateway.missing() : "--no-portkey";
            if (missing == null) {
                portkey = portkey(args, server);
                rows.add(portkey);
                print(portkey);
            } else {
                String skipped =
                        "Portkey half skipped: "
                                + missing
                                + " (install Node.js with npm to compare with "
                                + PortkeyGateway.PACKAGE
                                + " "
                                + PortkeyGateway.VERSION
                                + ").";
                System.out.println(skipped);
                notes.add(skipped);
            }
            job = job(args, server, out, notes);
            rows.add(job);
            print(job);
        }
        List<String> headline = new ArrayList<>();
        if (portkey != null) {
            headline.addAll(List.of(ratios(job, portkey)));
        }
        notes.addAll(FAILURES);
        Path report = writeReport(out, args, rows, headline, notes);
        System.out.println("report: " + report.toAbsolutePath());
        headline.forEach(System.out::println);
        System.exit(0);
    }

    private static Row direct(Args args, LoopbackServer server) throws Exception {
        URI uri = URI.create(server.baseUrl() + "/chat/completions");
        HttpLoad.drive(
                uri, Map.of(), requestBody(), args.connections(), args.warmup(), args.timeout());
        long serverCpu = server.cpuNanos();
        long driverCpu = jvmCpuNanos();
        HttpLoad.Outcome outcome =
                HttpLoad.drive(
                        uri,
                        Map.of(),
                        requestBody(),
                        args.connections(),
                        args.tasks(),
                        args.timeout());
        check(outcome, "the loopback server");
        double thousands = outcome.calls() / 1000.0;
        double server1k = (server.cpuNanos() - serverCpu) / 1e9 / thousands;
        double driver1k = (jvmCpuNanos() - driverCpu) / 1e9 / thousands;
        return new Row(
                "Java driver → loopback server, " + args.connections() + " connections (the floor)",
                outcome.calls(),
                outcome.callsPerSecond(),
                driver1k,
                Map.of("driver JVM", driver1k),
                server1k);
    }

    private static Row portkey(Args args, LoopbackServer server) throws Exception {
        Path folder =
                Path.of(System.getProperty("hivestream.bench.dir", ".hivestream/bench"))
                        .resolve("portkey-gateway-" + PortkeyGateway.VERSION);
        System.out.println("starting Portkey gateway from " + folder + " ...");
        try (PortkeyGateway gateway = PortkeyGateway.start(folder)) {
            Map<String, String> headers = PortkeyGateway.headers(server.baseUrl());
            HttpLoad.Outcome warm =
                    HttpLoad.drive(
                            gateway.chatCompletions(),
                            headers,
                            requestBody(),
                            args.connections(),
                            args.warmup(),
                            args.timeout());
            check(warm, "Portkey");
            long nodeCpu = gateway.cpuNanos();
            long serverCpu = server.cpuNanos();
            long driverCpu = jvmCpuNanos();
            HttpLoad.Outcome outcome =
                    HttpLoad.drive(
                            gateway.chatCompletions(),
                            headers,
                            requestBody(),
                            args.connections(),
                            args.tasks(),
                            args.timeout());
            check(outcome, "Portkey");
            double thousands = outcome.calls() / 1000.0;
            double node1k = (gateway.cpuNanos() - nodeCpu) / 1e9 / thousands;
            return new Row(
                    "Portkey "
                            + PortkeyGateway.VERSION
                            + " (node), Java driver at "
                            + args.connections()
                            + " connections",
                    outcome.calls(),
                    outcome.callsPerSecond(),
                    node1k,
                    Map.of(
                            "node",
                            node1k,
                            "driver JVM (not counted)",
                            (jvmCpuNanos() - driverCpu) / 1e9 / thousands),
                    (server.cpuNanos() - serverCpu) / 1e9 / thousands);
        }
    }

    private static Row job(Args args, LoopbackServer server, Path out, List<String> notes)
            throws Exception {
        TaskMix mix = TaskMix.plain(42);
        Map<String, String> options = new LinkedHashMap<>();
        options.put(HivestreamOptions.EXECUTE_CAPACITY.key(), Integer.toString(args.capacity()));
        options.putAll(args.conf());
        Harness.Spec spec =
                new Harness.Spec(
                        "http-pipeline-eo",
                        true,
                        DeliveryGuarantee.EXACTLY_ONCE,
                        0,
                        mix,
                        args.tasks(),
                        0.5,
                        Duration.ZERO,
                        options,
                        List.of(agent(server.baseUrl(), mix)));
        Path work = out.resolve("work");
        try (Harness harness =
                new Harness(work, args.parallelism(), args.checkpointInterval(), args.timeout())) {
            if (args.warmUp()) {
                Harness.Spec warmUp = Bench.warmUp(spec, spec.name() + Bench.WARM_UP, spec.tasks());
                System.out.println("running " + warmUp.name() + " ...");
                Figures.Run cold = harness.run(warmUp, Harness.Profiler.NONE).figures();
                String line =
                        "Unmeasured warm-up run of the job first, on the same JVM and broker: "
                                + ReportWriter.number(cold.throughput(), 0)
                                + " tasks/s at "
                                + format(cold.cpuPer1000() + cold.brokerCpuPer1000())
                                + " CPU-s per 1k tasks (job JVM "
                                + format(cold.cpuPer1000())
                                + ", broker "
                                + format(cold.brokerCpuPer1000())
                                + ").";
                notes.add(line);
                System.out.println(line);
            }
            JfrProfile jfr = args.jfr() ? new JfrProfile(out.resolve(spec.name() + ".jfr")) : null;
            ThreadCpu.Profile threads =
                    new ThreadCpu.Profile(jfr != null ? jfr : Harness.Profiler.NONE);
            System.out.println("running " + spec.name() + " ...");
            long calls = server.calls();
            long serverCpu = server.cpuNanos();
            Harness.Outcome outcome = harness.run(spec, threads);
            long jobCalls = server.calls() - calls;
            double serverCpuSeconds = (server.cpuNanos() - serverCpu) / 1e9;
            Figures.Run run = outcome.figures();
            double callsPerTask = jobCalls / (double) args.tasks();
            double jvm1k = run.cpuPer1000() / callsPerTask;
            double broker1k = run.brokerCpuPer1000() / callsPerTask;
            notes.add(statuses(outcome.statuses(), args.tasks()));
            if (outcome.warning() != null) {
                notes.add(outcome.warning());
            }
            notes.add(
                    "The job made "
                            + jobCalls
                            + " calls for "
                            + args.tasks()
                            + " tasks ("
                            + format(callsPerTask)
                            + " a task).");
            String split =
                    "Job JVM CPU-s per 1k calls by kind of thread, over the whole drain: "
                            + ThreadCpu.describe(threads.per1k(jobCalls), 16);
            notes.add(split);
            System.out.println(split);
            if (jfr != null) {
                notes.add(
                        "JFR recording of the job while draining: `"
                                + jfr.file().getFileName()
                                + "`.");
                notes.addAll(JfrProfile.summarise(jfr.file()).lines(12));
            }
            return new Row(
                    "job (exactly-once, parallelism "
                            + args.parallelism()
                            + ", "
                            + args.capacity()
                            + " calls in flight per instance) + broker",
                    jobCalls,
                    run.throughput() * callsPerTask,
                    jvm1k + broker1k,
                    Map.of("job JVM", jvm1k, "broker", broker1k),
                    serverCpuSeconds / (jobCalls / 1000.0));
        } finally {
            Bench.deleteRecursively(work);
        }
    }

    /**
     * The results by status, as a note; a result other than COMPLETED is also a failure, so that a
     * call that failed fast never passes for a fast call.
     */
    static String statuses(Map<String, Long> statuses, long tasks) {
        long completed = statuses.getOrDefault("COMPLETED", 0L);
        String note = "Results by status: " + statuses + ".";
        if (completed != tasks) {
            String failure =
                    (tasks - completed)
                            + " of "
                            + tasks
                            + " tasks of the job did not complete: "
                            + statuses;
            System.out.println(failure);
            FAILURES.add(failure);
        }
        return note;
    }

    /** Failed calls, reported; more than 1% of them ends the benchmark. */
    static final List<String> FAILURES = new ArrayList<>();

    private static void check(HttpLoad.Outcome outcome, String what) {
        if (outcome.failures() == 0) {
            return;
        }
        String text =
                outcome.failures()
                        + " of "
                        + outcome.calls()
                        + " calls through "
                        + what
                        + " failed, the first with: "
                        + outcome.firstFailure();
        if (outcome.failures() * 100 > outcome.calls()) {
            throw new IllegalStateException(text);
        }
        System.out.println(text);
        FAILURES.add(text);
    }

    private static long jvmCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static void print(Row row) {
        System.out.println(
                row.name()
                        + ": "
                        + ReportWriter.number(row.callsPerSecond(), 0)
                        + " calls/s, "
                        + format(row.cpuPer1k())
                        + " CPU-s per 1k calls "
                        + new TreeMap<>(row.parts())
                        + "; loopback server "
                        + format(row.serverPer1k())
                        + " CPU-s per 1k calls");
    }

    static Path writeReport(
            Path out, Args args, List<Row> rows, List<String> headline, List<String> notes)
            throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# HTTP agent calls: the job against a gateway\n\n");
        md.append(
                "One OpenAI-compatible loopback server (instant answers, its own JVM) behind"
                        + " each; every row is "
                        + args.tasks()
                        + " calls after a warm-up of "
                        + args.warmup()
                        + " (the job: its 10%-90% window).\n\n");
        md.append(
                "| run | calls | calls/s | CPU-s per 1k calls | of which | loopback server CPU-s"
                        + " per 1k calls (not counted) |\n");
        md.append("|---|---:|---:|---:|---|---:|\n");
        for (Row row : rows) {
            StringBuilder parts = new StringBuilder();
            new TreeMap<>(row.parts())
                    .forEach(
                            (name, value) ->
                                    parts.append(parts.length() == 0 ? "" : ", ")
                                            .append(name)
                                            .append(' ')
                                            .append(format(value)));
            md.append("| ")
                    .append(row.name())
                    .append(" | ")
                    .append(row.calls())
                    .append(" | ")
                    .append(ReportWriter.number(row.callsPerSecond(), 0))
                    .append(" | ")
                    .append(format(row.cpuPer1k()))
                    .append(" | ")
                    .append(parts)
                    .append(" | ")
                    .append(format(row.serverPer1k()))
                    .append(" |\n");
        }
        md.append('\n');
        for (String line : headline) {
            md.append("- ").append(line).append('\n');
        }
        md.append("\n## Settings\n\n");
        md.append("- tasks (calls) per run: ").append(args.tasks()).append('\n');
        md.append("- driver connections: ").append(args.connections()).append('\n');
        md.append("- job: parallelism ")
                .append(args.parallelism())
                .append(", checkpoints every ")
                .append(TimeUtils.formatWithHighestUnit(args.checkpointInterval()))
                .append(", ")
                .append(args.capacity())
                .append(" calls in flight per instance\n");
        args.conf()
                .forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
        md.append("\n## Notes\n\n");
        md.append(
                "- CPU: user plus system time from /proc of the node process (Portkey), of the"
                        + " benchmark JVM that runs the Flink job and the result reader, and of the"
                        + " broker; the loopback server is a process of its own and is not counted"
                        + " in any row's CPU.\n");
        for (String note : notes) {
            md.append(note.startsWith("|") || note.startsWith("-") ? "" : "- ")
                    .append(note)
                    .append('\n');
        }
        md.append(
                "- Machine: "
                        + Runtime.getRuntime().availableProcessors()
                        + " cores, Java "
                        + System.getProperty("java.version")
                        + "; other processes may share it, so compare rows of one run.\n");
        Path file = out.resolve("report.md");
        Files.writeString(file, md);
        return file;
    }

    static String format(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }
}
