package io.hivestream.loadtests;

import io.hivestream.connectors.agents.onnx.MiniLmEmbedder;
import io.hivestream.connectors.analyse.EmbeddingComplexityAnalyzer;
import io.hivestream.connectors.analyse.OnnxComplexityAnalyzer;
import io.hivestream.jobs.HivestreamOptions;
import io.hivestream.operators.analyse.AnalysisPolicy;
import io.hivestream.operators.analyse.RuleBasedAnalyzer;
import io.hivestream.operators.lineage.LineageKeys;
import io.hivestream.operators.lineage.SignatureAlgorithm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.util.TimeUtils;

/**
 * Runs one benchmark scenario and writes its report (Markdown and PNG charts) into a folder:
 *
 * <pre>
 * Bench pipeline --scenario a|b|c|d|e [--tasks N] [--sessions N] [--parallelism P] [--tenants] [--secured]
 *       [--signed]
 *       [--checkpoint-interval 1s] [--fixed-rate 20s] [--rate-share 0.5] [--capacity N]
 *       [--timeout 15min] [--out DIR] [--jfr] [--conf KEY=VALUE]... [--no-warm-up | --warm-up-tasks N]
 * </pre>
 *
 * Scenarios: (a) instant agents, exactly-once and at-least-once; (b) agents at 50 ms and at 1 s;
 * (c) 20% consensus tasks with 3 replicas and 5% plans; (d) every task in one of many sessions with
 * memory in RocksDB; (e) the complexity analyser alone. Scenarios a to d run the passthrough
 * ceiling first, then the pipeline, in the same run on the same broker; their last printed line is
 * {@code ratio pipeline/passthrough: X.XX}; the passthrough drains at least {@link
 * #PASSTHROUGH_MIN_TASKS} tasks, whatever {@code --tasks} says. Before those, the passthrough and
 * the pipeline (in scenario a, its exactly-once and its at-least-once runs) run once each without a
 * fixed-rate phase to warm the benchmark up, in no ratio ({@code --no-warm-up} leaves them out;
 * {@code --warm-up-tasks} sets their backlog, by default the measured runs' own). With {@code
 * --secured}, scenario a runs its exactly-once pipeline once more against a second broker that
 * takes SASL_SSL with SCRAM-SHA-512 only and authorizes with ACLs, the job's user allowed exactly
 * its topics, group and transactional ids. With {@code --signed}, scenario a runs its exactly-once
 * pipeline nine times more: once signed to warm the signing code up (not counted, as the runs
 * before warm the rest), then twice unsigned, signed, signed, unsigned (so that a drift over the
 * benchmark's JVM, which runs faster the longer it runs, falls on both alike), signed with a fresh
 * ML-DSA-65 key, the default algorithm; it reports the ratio of the signed runs to the unsigned
 * ones, pooled (sums) and of their medians.
 */
public final class Bench {
    private Bench() {}

    /** The name's end of scenario a's run against the secured broker. */
    static final String SECURED_RUN = "-pipeline-eo-sasl-ssl";

    /** The name's end of scenario a's plaintext run right after the secured one. */
    static final String PLAINTEXT_AGAIN = "-pipeline-eo-plaintext";

    /** The names' ends of scenario a's signed runs and of the unsigned runs beside them. */
    static final String SIGNED_RUN = "-pipeline-eo-signed-";

    static final String UNSIGNED_RUN = "-pipeline-eo-unsigned-";

    /** What the names of runs that only warm the benchmark up hold; no ratio has them. */
    static final String WARM_UP = "-warm-up";

    static final String SIGNED_WARMUP_RUN = "-pipeline-eo" + WARM_UP + "-signed";

    /**
     * The passthrough's least backlog: warm, it drains 100,000 tasks or more a second, and a
     * smaller backlog becomes visible in one or two of its 1 s commits, too few to time.
     */
    static final long PASSTHROUGH_MIN_TASKS = 1_000_000;

    /** The command line. */
    record Args(
            String scenario,
            long tasks,
            int sessions,
            int parallelism,
            Duration checkpointInterval,
            Duration fixedRate,
            double rateShare,
            int capacity,
            Duration timeout,
            Path out,
            boolean jfr,
            Map<String, String> conf,
            boolean tenants,
            boolean secured,
            boolean signed,
            boolean warmUp,
            long warmUpTasks) {

        static Args parse(String[] argv) {
            if (argv.length == 0 || !argv[0].equals("pipeline")) {
                throw new IllegalArgumentException(
                        "usage: bench pipeline --scenario a|b|c|d|e [options]");
            }
            BenchArgs options =
                    BenchArgs.parse(
                            argv,
                            1,
                            Set.of("--jfr", "--tenants", "--secured", "--signed", "--no-warm-up"),
                            true,
                            null);
            String scenario = options.take("scenario", null);
            if (scenario == null || !List.of("a", "b", "c", "d", "e").contains(scenario)) {
                throw new IllegalArgumentException("--scenario must be one of a, b, c, d, e");
            }
            int sessions = Integer.parseInt(options.take("sessions", "1000000"));
            long defaultTasks = scenario.equals("d") ? sessions : 100_000;
            long tasks = Long.parseLong(options.take("tasks", Long.toString(defaultTasks)));
            String warmUpTasks = options.take("warm-up-tasks", null);
            if (warmUpTasks != null && options.flag("--no-warm-up")) {
                throw new IllegalArgumentException(
                        "--warm-up-tasks sizes the warm-up runs that --no-warm-up leaves out; drop"
                                + " one of them");
            }
            long warmUpBacklog = warmUpTasks == null ? tasks : Long.parseLong(warmUpTasks);
            if (warmUpBacklog < 1) {
                throw new IllegalArgumentException(
                        "--warm-up-tasks must be at least 1 (or use --no-warm-up), not "
                                + warmUpTasks);
            }
            Args args =
                    new Args(
                            scenario,
                            tasks,
                            sessions,
                            Integer.parseInt(options.take("parallelism", "2")),
                            TimeUtils.parseDuration(options.take("checkpoint-interval", "1s")),
                            TimeUtils.parseDuration(
                                    options.take(
                                            "fixed-rate", scenario.equals("d") ? "0s" : "20s")),
                            Double.parseDouble(options.take("rate-share", "0.5")),
                            Integer.parseInt(options.take("capacity", "1000")),
                            TimeUtils.parseDuration(options.take("timeout", "15min")),
                            options.path("out"),
                            options.flag("--jfr"),
                            options.conf(),
                            options.flag("--tenants"),
                            options.flag("--secured"),
                            options.flag("--signed"),
                            !options.flag("--no-warm-up"),
                            warmUpBacklog);
            options.done();
            if (args.secured() && !scenario.equals("a")) {
                throw new IllegalArgumentException(
                        "--secured applies to scenario a only; run it with --scenario a");
            }
            if (args.signed() && !scenario.equals("a")) {
                throw new IllegalArgumentException(
                        "--signed applies to scenario a only; run it with --scenario a");
            }
            return args;
        }
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
        Path out = args.out() != null ? args.out() : ReportWriter.defaultFolder(args.scenario());
        Files.createDirectories(out);
        Figures.Report report;
        List<Harness.Outcome> outcomes = new ArrayList<>();
        if (args.scenario().equals("e")) {
            report = analyser(args);
        } else {
            report = pipeline(args, out, outcomes);
        }
        List<String> charts = Charts.write(out, outcomes);
        Path file = ReportWriter.write(out, report, charts);
        System.out.println("report: " + file.toAbsolutePath());
        for (String line : ReportWriter.headline(report)) {
            System.out.println(line);
        }
        System.exit(0);
    }

    private static Figures.Report analyser(Args args) {
        TaskMix mix = TaskMix.plain(42).withConsensus(0.2, 3).withPlans(0.05);
        int tasks = (int) Math.min(args.tasks(), 1_000_000);
        AnalysisPolicy policy = new AnalysisPolicy();
        // The embedding takes milliseconds a task: fewer rounds, and at most the first 5,000
        // tasks of the same seeded mix, keep the run to minutes. The model (about a second to
        // load) is loaded here, before any round.
        int embeddingWarmups = 1;
        int embeddingRounds = 5;
        int embeddingTasks = Math.min(tasks, 5_000);
        MiniLmEmbedder embedder = MiniLmEmbedder.shared();
        List<Figures.Analyser> analysers =
                List.of(
                        AnalyserBenchmark.run(
                                "RuleBasedAnalyzer (fixed formula)",
                                new RuleBasedAnalyzer(),
                                mix,
                                tasks,
                                5,
                                15),
                        AnalyserBenchmark.run(
                                "OnnxComplexityAnalyzer (features + shipped ONNX model)",
                                OnnxComplexityAnalyzer.shipped(policy),
                                mix,
                                tasks,
                                5,
                                15),
                        AnalyserBenchmark.runEach(
                                "all-MiniLM-L6-v2 embedding of the input alone (1 thread)",
                                task -> embedder.embed(task.getInput())[0],
                                mix,
                                embeddingTasks,
                                embeddingWarmups,
                                embeddingRounds),
                        AnalyserBenchmark.run(
                                "EmbeddingComplexityAnalyzer (embedding + features + shipped ONNX"
                                        + " model)",
                                EmbeddingComplexityAnalyzer.shipped(policy),
                                mix,
                                embeddingTasks,
                                embeddingWarmups,
                                embeddingRounds));
        return new Figures.Report(
                "e",
                "The complexity analysers alone, one thread, no Kafka or Flink: the rules, the"
                        + " shipped ONNX model over the task features, and the shipped embedding"
                        + " model (the input's all-MiniLM-L6-v2 embedding and the features), on"
                        + " the same tasks.",
                List.<String[]>of(
                        new String[] {
                            "tasks per round",
                            tasks
                                    + (embeddingTasks < tasks
                                            ? " (embedding: the first " + embeddingTasks + ")"
                                            : "")
                        },
                        new String[] {"mix", describe(mix)},
                        new String[] {
                            "rounds",
                            "rules and features: 5 warm-up, 15 timed; embedding: "
                                    + embeddingWarmups
                                    + " warm-up, "
                                    + embeddingRounds
                                    + " timed"
                        }),
                List.of(),
                analysers,
                List.of(),
                machineNotes());
    }

    private static Figures.Report pipeline(Args args, Path out, List<Harness.Outcome> outcomes)
            throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        options.put(HivestreamOptions.EXECUTE_CAPACITY.key(), Integer.toString(args.capacity()));
        TaskMix mix = TaskMix.plain(42);
        String title;
        List<Harness.Spec> specs = new ArrayList<>();
        // The runs against the secured broker (a second one, beside the plain one).
        Set<String> securedRuns = new HashSet<>();
        String s = args.scenario();
        switch (s) {
            case "a" -> {
                title = "Instant simulated agents (latency 0), exactly-once and at-least-once.";
                specs.add(
                        spec(
                                args,
                                s + "-pipeline-eo",
                                true,
                                DeliveryGuarantee.EXACTLY_ONCE,
                                0,
                                mix,
                                options));
                if (args.tenants()) {
                    // The same run with the admit stage on and the tenant's record registered.
                    Map<String, String> admitted = new LinkedHashMap<>(options);
                    admitted.put(HivestreamOptions.TENANTS_ENFORCE.key(), "true");
                    specs.add(
                            spec(
                                    args,
                                    s + "-pipeline-eo-tenants",
                                    true,
                                    DeliveryGuarantee.EXACTLY_ONCE,
                                    0,
                                    mix,
                                    admitted));
                }
                specs.add(
                        spec(
                                args,
                                s + "-pipeline-alo",
                                true,
                                DeliveryGuarantee.AT_LEAST_ONCE,
                                0,
                                mix,
                                options));
                if (args.signed()) {
                    Map<String, String> signed = new LinkedHashMap<>(options);
                    signed.put(HivestreamOptions.LINEAGE_ENABLED.key(), "true");
                    signed.put(
                            HivestreamOptions.LINEAGE_KEY_FILE.key(),
                            signingKey(out.resolve("work").resolve("lineage.key.pem")).toString());
                    for (String name :
                            List.of(
                                    SIGNED_WARMUP_RUN,
                                    UNSIGNED_RUN + 1,
                                    SIGNED_RUN + 1,
                                    SIGNED_RUN + 2,
                                    UNSIGNED_RUN + 2,
                                    UNSIGNED_RUN + 3,
                                    SIGNED_RUN + 3,
                                    SIGNED_RUN + 4,
                                    UNSIGNED_RUN + 4)) {
                        specs.add(
                                spec(
                                        args,
                                        s + name,
                                        true,
                                        DeliveryGuarantee.EXACTLY_ONCE,
                                        0,
                                        mix,
                                        name.startsWith(UNSIGNED_RUN) ? options : signed));
                    }
                }
                if (args.secured()) {
                    // Last, and the plaintext run once more right after it: runs later in the
                    // benchmark's JVM run faster (its JIT is warmer), so the two compared are
                    // neighbours.
                    securedRuns.add(s + SECURED_RUN);
                    for (String name : List.of(s + SECURED_RUN, s + PLAINTEXT_AGAIN)) {
                        specs.add(
                                spec(
                                        args,
                                        name,
                                        true,
                                        DeliveryGuarantee.EXACTLY_ONCE,
                                        0,
                                        mix,
                                        options));
                    }
                }
            }
            case "b" -> {
                title = "Simulated agents at 50 ms and at 1 s, exactly-once.";
                specs.add(
                        spec(
                                args,
                                s + "-pipeline-50ms",
                                true,
                                DeliveryGuarantee.EXACTLY_ONCE,
                                50,
                                mix,
                                options));
                specs.add(
                        spec(
                                args,
                                s + "-pipeline-1s",
                                true,
                                DeliveryGuarantee.EXACTLY_ONCE,
                                1000,
                                mix,
                                options));
            }
            case "c" -> {
                mix = mix.withConsensus(0.2, 3).withPlans(0.05);
                title =
                        "20% consensus tasks with 3 replicas and 5% plans (DECOMPOSE: a simulated"
                                + " planner agent, the steps, a simulated synthesizer), instant"
                                + " agents, exactly-once.";
                // The fleet has a planner: plans wait for it (--conf may choose the templates).
                options.put(HivestreamOptions.PLAN_PLANNER.key(), "agent");
                specs.add(
                        spec(
                                args,
                                s + "-pipeline-eo",
                                true,
                                DeliveryGuarantee.EXACTLY_ONCE,
                                0,
                                mix,
                                options));
            }
            case "d" -> {
                mix = mix.withSessions(1.0, args.sessions());
                title =
                        "Every task in a session, "
                                + args.sessions()
                                + " sessions round robin, memory of the last turns in RocksDB,"
                                + " instant agents, exactly-once.";
                specs.add(
                        spec(
                                args,
                                s + "-pipeline-eo",
                                true,
                                DeliveryGuarantee.EXACTLY_ONCE,
                                0,
                                mix,
                                options));
            }
            default -> throw new IllegalArgumentException(s);
        }
        Harness.Spec passthrough =
                passthrough(
                        spec(
                                args,
                                s + "-passthrough",
                                false,
                                DeliveryGuarantee.EXACTLY_ONCE,
                                0,
                                mix,
                                Map.of()));
        List<Harness.Spec> warmUps = new ArrayList<>();
        if (args.warmUp()) {
            // Every run shares the benchmark's JVM and broker, which get faster over the first
            // runs (the JIT compiles, the heap grows): without these, the first measured run of
            // each job would measure that too, and the runs after it would not.
            long backlog = args.warmUpTasks();
            warmUps.add(
                    warmUp(
                            passthrough,
                            s + WARM_UP + "-passthrough",
                            Math.max(backlog, PASSTHROUGH_MIN_TASKS)));
            warmUps.add(warmUp(specs.get(0), s + WARM_UP + "-pipeline", backlog));
            specs.stream()
                    .filter(spec -> spec.name().equals(s + "-pipeline-alo"))
                    .forEach(
                            spec ->
                                    warmUps.add(
                                            warmUp(spec, s + WARM_UP + "-pipeline-alo", backlog)));
        }
        specs.add(0, passthrough);
        specs.addAll(0, warmUps);

        Path work = out.resolve("work");
        List<Figures.Run> runs = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Harness plain = null;
        Harness secured = null;
        try {
            boolean profiled = false;
            for (Harness.Spec spec : specs) {
                Harness harness;
                if (securedRuns.contains(spec.name())) {
                    if (secured == null) {
                        secured =
                                new Harness(
                                        work.resolve("secured"),
                                        args.parallelism(),
                                        args.checkpointInterval(),
                                        args.timeout(),
                                        true);
                    }
                    harness = secured;
                } else {
                    if (plain == null) {
                        plain =
                                new Harness(
                                        work.resolve("plain"),
                                        args.parallelism(),
                                        args.checkpointInterval(),
                                        args.timeout());
                    }
                    harness = plain;
                }
                Harness.Profiler profiler = Harness.Profiler.NONE;
                JfrProfile jfr = null;
                if (args.jfr() && spec.pipeline() && !warmUp(spec.name()) && !profiled) {
                    jfr = new JfrProfile(out.resolve(spec.name() + ".jfr"));
                    profiler = jfr;
                    profiled = true;
                }
                ThreadCpu.Profile threads = null;
                if (!warmUp(spec.name())) {
                    threads = new ThreadCpu.Profile(profiler);
                    profiler = threads;
                }
                System.out.println("running " + spec.name() + " ...");
                Harness.Outcome outcome = harness.run(spec, profiler);
                outcomes.add(outcome);
                runs.add(outcome.figures());
                System.out.println(
                        ReportWriter.headline(
                                        report(
                                                s,
                                                "",
                                                List.of(),
                                                List.of(outcome.figures()),
                                                List.of(),
                                                List.of()))
                                .get(0));
                if (outcome.warning() != null) {
                    notes.add(outcome.warning());
                }
                if (threads != null) {
                    notes.add(
                            "`"
                                    + spec.name()
                                    + "`: CPU-s per 1,000 tasks by kind of thread of the"
                                    + " benchmark's JVM, from the job's start until the backlog"
                                    + " was drained: "
                                    + ThreadCpu.describe(threads.per1k(spec.tasks()), 12)
                                    + ".");
                }
                if (jfr != null) {
                    notes.add(
                            "JFR recording of "
                                    + spec.name()
                                    + " while draining the backlog: `"
                                    + jfr.file().getFileName()
                                    + "`.");
                    for (String line : JfrProfile.summarise(jfr.file()).lines(8)) {
                        notes.add(line);
                    }
                }
            }
        } finally {
            for (Harness harness : new Harness[] {plain, secured}) {
                if (harness != null) {
                    harness.close();
                }
            }
            deleteRecursively(work);
        }
        List<Figures.Ratio> ratios = ratios(runs, args);
        notes.addAll(0, methodNotes(args));
        notes.addAll(machineNotes());
        List<String[]> settings =
                settings(
                        args,
                        List.of(
                                new String[] {"mix", describe(mix)},
                                new String[] {
                                    "execute capacity per instance",
                                    Integer.toString(args.capacity())
                                }));
        return report(s, title, settings, runs, ratios, notes);
    }

    private static Figures.Report report(
            String scenario,
            String title,
            List<String[]> settings,
            List<Figures.Run> runs,
            List<Figures.Ratio> ratios,
            List<String> notes) {
        return new Figures.Report(scenario, title, settings, runs, List.of(), ratios, notes);
    }

    private static Harness.Spec spec(
            Args args,
            String name,
            boolean pipeline,
            DeliveryGuarantee delivery,
            long latencyMs,
            TaskMix mix,
            Map<String, String> options) {
        // Settings given with --conf apply to every run, the passthrough's too.
        Map<String, String> all = new LinkedHashMap<>(options);
        all.putAll(args.conf());
        return new Harness.Spec(
                name,
                pipeline,
                delivery,
                latencyMs,
                mix,
                args.tasks(),
                args.rateShare(),
                args.fixedRate(),
                all);
    }

    /**
     * A run like {@code spec} under another name, on a backlog of {@code tasks} and with no
     * fixed-rate phase: it only warms the benchmark up for the runs after it.
     */
    static Harness.Spec warmUp(Harness.Spec spec, String name, long tasks) {
        return copy(spec, name, tasks, Duration.ZERO);
    }

    /** The passthrough's run on a backlog of at least {@link #PASSTHROUGH_MIN_TASKS}. */
    static Harness.Spec passthrough(Harness.Spec spec) {
        return copy(
                spec,
                spec.name(),
                Math.max(spec.tasks(), PASSTHROUGH_MIN_TASKS),
                spec.fixedRatePhase());
    }

    private static Harness.Spec copy(
            Harness.Spec spec, String name, long tasks, Duration fixedRatePhase) {
        return new Harness.Spec(
                name,
                spec.pipeline(),
                spec.delivery(),
                spec.agentLatencyMs(),
                spec.mix(),
                tasks,
                spec.rateShare(),
                fixedRatePhase,
                spec.options(),
                spec.agents());
    }

    /** Whether the run only warmed the benchmark up. */
    static boolean warmUp(String name) {
        return name.contains(WARM_UP);
    }

    /**
     * The ratios between runs of this benchmark run, with the goals set for them; runs that only
     * warmed the benchmark up are in none.
     */
    static List<Figures.Ratio> ratios(List<Figures.Run> all, Args args) {
        List<Figures.Run> runs = all.stream().filter(r -> !warmUp(r.name())).toList();
        List<Figures.Ratio> ratios = new ArrayList<>();
        Figures.Run passthrough = find(runs, "passthrough", null);
        Figures.Run eo = find(runs, "pipeline", DeliveryGuarantee.EXACTLY_ONCE.name());
        Figures.Run alo = find(runs, "pipeline", DeliveryGuarantee.AT_LEAST_ONCE.name());
        if (eo != null && alo != null) {
            ratios.add(
                    new Figures.Ratio(
                            "exactly-once/at-least-once",
                            eo.throughput() / alo.throughput(),
                            "≥ 0.85"));
        }
        Figures.Run secured = named(runs, SECURED_RUN);
        Figures.Run plaintext = named(runs, PLAINTEXT_AGAIN);
        if (secured != null && plaintext != null) {
            ratios.add(
                    new Figures.Ratio(
                            "SASL_SSL/plaintext (exactly-once)",
                            secured.throughput() / plaintext.throughput(),
                            "-"));
            ratios.add(
                    new Figures.Ratio(
                            "SASL_SSL/plaintext (exactly-once), CPU-s per task of the job JVM",
                            secured.cpuPer1000() / plaintext.cpuPer1000(),
                            "-"));
        }
        List<Figures.Run> signed = holding(runs, SIGNED_RUN);
        List<Figures.Run> unsigned = holding(runs, UNSIGNED_RUN);
        if (!signed.isEmpty() && signed.size() == unsigned.size()) {
            signedRatios(ratios, signed, unsigned, "", Bench::sum);
            // One run slowed by the machine (every thread, signing or not, taking longer) moves
            // the pooled ratios; the medians' ratios are not moved by one such run.
            signedRatios(ratios, signed, unsigned, ", medians", Bench::median);
        }
        Figures.Run tenants = named(runs, "-tenants");
        if (eo != null && tenants != null) {
            ratios.add(
                    new Figures.Ratio(
                            "with tenants/without (exactly-once)",
                            tenants.throughput() / eo.throughput(),
                            "≥ 0.95"));
        }
        for (Figures.Run run : runs) {
            if (run.latency() != null && run.job().equals("pipeline")) {
                boolean exactlyOnce = run.delivery().equals(DeliveryGuarantee.EXACTLY_ONCE.name());
                long goal = exactlyOnce ? args.checkpointInterval().toMillis() + 50 : 20;
                ratios.add(
                        new Figures.Ratio(
                                run.name() + " orchestration p99 / goal (" + goal + " ms)",
                                run.latency().overheadP99() / (double) goal,
                                "≤ 1"));
            }
        }
        if (passthrough != null) {
            List<Figures.Run> pipelines =
                    runs.stream().filter(r -> r.job().equals("pipeline")).toList();
            for (int i = 1; i < pipelines.size(); i++) {
                ratios.add(
                        new Figures.Ratio(
                                pipelines.get(i).name() + "/passthrough",
                                pipelines.get(i).throughput() / passthrough.throughput(),
                                "-"));
            }
            if (!pipelines.isEmpty()) {
                ratios.add(
                        new Figures.Ratio(
                                ReportWriter.PIPELINE_RATIO,
                                pipelines.get(0).throughput() / passthrough.throughput(),
                                "≥ 0.5 with instant agents"));
            }
        }
        return ratios;
    }

    /** The last run whose name ends with {@code end}, or null. */
    private static Figures.Run named(List<Figures.Run> runs, String end) {
        Figures.Run named = null;
        for (Figures.Run run : runs) {
            if (run.name().endsWith(end)) {
                named = run;
            }
        }
        return named;
    }

    /** The runs whose names hold {@code part}, in the order they ran. */
    private static List<Figures.Run> holding(List<Figures.Run> runs, String part) {
        return runs.stream().filter(run -> run.name().contains(part)).toList();
    }

    private static double sum(List<Figures.Run> runs, ToDoubleFunction<Figures.Run> figure) {
        return runs.stream().mapToDouble(figure).sum();
    }

    /** A figure summed, or otherwise summarised, over runs. */
    private interface Summary {
        double of(List<Figures.Run> runs, ToDoubleFunction<Figures.Run> figure);
    }

    /** The signed runs' tasks/s and CPU per task against the unsigned runs', summarised alike. */
    private static void signedRatios(
            List<Figures.Ratio> ratios,
            List<Figures.Run> signed,
            List<Figures.Run> unsigned,
            String how,
            Summary summary) {
        ratios.add(
                ratio(
                        "signed/unsigned" + how + " (exactly-once, ML-DSA-65)",
                        summary,
                        signed,
                        unsigned,
                        Figures.Run::throughput,
                        "≥ 0.95"));
        ratios.add(
                ratio(
                        "signed/unsigned" + how + " (exactly-once), CPU-s per task of the job JVM",
                        summary,
                        signed,
                        unsigned,
                        Figures.Run::cpuPer1000,
                        "-"));
    }

    private static Figures.Ratio ratio(
            String name,
            Summary summary,
            List<Figures.Run> runs,
            List<Figures.Run> against,
            ToDoubleFunction<Figures.Run> figure,
            String goal) {
        return new Figures.Ratio(
                name, summary.of(runs, figure) / summary.of(against, figure), goal);
    }

    /** The median of the runs' figure: the mean of the middle two for an even count. */
    static double median(List<Figures.Run> runs, ToDoubleFunction<Figures.Run> figure) {
        double[] values = runs.stream().mapToDouble(figure).sorted().toArray();
        int middle = values.length / 2;
        return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    /**
     * A fresh ML-DSA-65 private key for the signed runs, in the benchmark's work folder (deleted
     * when it ends).
     */
    private static Path signingKey(Path file) {
        try {
            Files.createDirectories(file.getParent());
            LineageKeys.Generated key =
                    LineageKeys.generate(
                            SignatureAlgorithm.ML_DSA_65, null, new java.security.SecureRandom());
            Files.writeString(file, key.privatePem());
            return file;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Figures.Run find(List<Figures.Run> runs, String job, String delivery) {
        for (Figures.Run run : runs) {
            if (run.job().equals(job) && (delivery == null || run.delivery().equals(delivery))) {
                return run;
            }
        }
        return null;
    }

    private static List<String[]> settings(Args args, List<String[]> extra) {
        List<String[]> settings = new ArrayList<>();
        settings.add(new String[] {"tasks per run", Long.toString(args.tasks())});
        settings.add(new String[] {"parallelism", Integer.toString(args.parallelism())});
        settings.add(
                new String[] {
                    "checkpoint interval",
                    TimeUtils.formatWithHighestUnit(args.checkpointInterval())
                });
        settings.add(
                new String[] {
                    "fixed-rate phase",
                    args.fixedRate().isZero()
                            ? "none"
                            : TimeUtils.formatWithHighestUnit(args.fixedRate())
                                    + " at "
                                    + ReportWriter.number(args.rateShare() * 100, 0)
                                    + "% of the run's measured throughput"
                });
        args.conf().forEach((key, value) -> settings.add(new String[] {key, value}));
        settings.addAll(extra);
        return settings;
    }

    static String describe(TaskMix mix) {
        StringBuilder text = new StringBuilder();
        new java.util.TreeMap<>(mix.kinds())
                .forEach(
                        (kind, share) ->
                                text.append(text.length() == 0 ? "" : ", ")
                                        .append(kind)
                                        .append(' ')
                                        .append(ReportWriter.number(share * 100, 1))
                                        .append('%'));
        if (mix.sessionShare() > 0) {
            text.append("; ")
                    .append(ReportWriter.number(mix.sessionShare() * 100, 1))
                    .append("% in ")
                    .append(mix.sessions())
                    .append(" sessions");
        }
        if (mix.consensusShare() > 0) {
            text.append("; ")
                    .append(ReportWriter.number(mix.consensusShare() * 100, 1))
                    .append("% consensus with ")
                    .append(mix.replicas())
                    .append(" replicas");
        }
        if (mix.planShare() > 0) {
            text.append("; ")
                    .append(ReportWriter.number(mix.planShare() * 100, 1))
                    .append("% plans");
        }
        return text.append("; seed ").append(mix.seed()).toString();
    }

    private static List<String> methodNotes(Args args) {
        return List.of(
                "Each run publishes its backlog (the same seeded tasks for every run) to its own"
                        + " topic, then starts its job on a Flink local cluster in the benchmark's JVM"
                        + " against one local KRaft broker (a child process); tasks/s counts distinct"
                        + " results visible to a read_committed consumer between 10% and 90% of the"
                        + " backlog, measured where the count crossed those marks.",
                "Latency: end-to-end is publish (the task's createdAt) to the result being"
                        + " returned by the consumer's poll; orchestration is end-to-end minus the"
                        + " longest agent latency among the result's answers. Exactly-once results"
                        + " become visible when the checkpoint after them completes (interval "
                        + TimeUtils.formatWithHighestUnit(args.checkpointInterval())
                        + ").",
                "CPU-s per 1k tasks: process CPU time of the benchmark JVM (Flink job, result"
                        + " reader; the load generator is idle while draining) and of the broker,"
                        + " over the same 10%-90% window.");
    }

    private static List<String> machineNotes() {
        return List.of(
                "Machine: "
                        + Runtime.getRuntime().availableProcessors()
                        + " cores, JVM heap "
                        + Runtime.getRuntime().maxMemory() / (1024 * 1024)
                        + " MiB, Java "
                        + System.getProperty("java.version")
                        + "; other processes share the machine, so compare runs by their ratios"
                        + " from the same benchmark run.");
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    static String format(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }
}
