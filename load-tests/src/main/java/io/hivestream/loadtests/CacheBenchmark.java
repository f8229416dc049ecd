package io.hivestream.loadtests;

import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.connectors.agents.onnx.MiniLmTextEmbedder;
import io.hivestream.connectors.kafka.KafkaClients;
import io.hivestream.connectors.kafka.LocalKafkaCluster;
import io.hivestream.connectors.loopback.ChatCompletionsServer;
import io.hivestream.jobs.HivestreamJob;
import io.hivestream.jobs.HivestreamOptions;
import io.hivestream.jobs.JobSettings;
import io.hivestream.operators.cache.SemanticCache;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.codec.Codecs;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The response cache against no cache, through the real job on one local broker:
 *
 * <pre>
 * CacheBenchmark [--tasks 400] [--rate 40] [--provider-ms 50] [--seed 42] [--out DIR]
 * </pre>
 *
 * The same {@link CacheMix} (half new questions, 30% exact repeats, 20% paraphrases) runs three
 * times, each in a job of its own, against one agent on a loopback OpenAI-compatible server that
 * answers after {@code --provider-ms}: cache off, exact, and semantic. Each run reports the
 * provider's requests, the spend on the metrics topic, cached answers, wrong answers (an answer to
 * another question), the p50 latency from publishing to the decision of the tasks that were called,
 * and this JVM's CPU per 1,000 tasks (the job and the provider; the broker is a process of its
 * own). The semantic cache is also run on the labelled pairs ({@link CacheAccuracy}), with the
 * lexical guard and by cosine alone. Writes {@code report.md}.
 */
public final class CacheBenchmark {
    private CacheBenchmark() {}

    record Args(int tasks, int rate, long providerMs, long seed, Path out) {
        static Args parse(String[] argv) {
            BenchArgs options = BenchArgs.parse(argv, 0, Set.of(), false, null);
            Args args =
                    new Args(
                            Integer.parseInt(options.take("tasks", "400")),
                            Integer.parseInt(options.take("rate", "40")),
                            Long.parseLong(options.take("provider-ms", "50")),
                            Long.parseLong(options.take("seed", "42")),
                            options.path("out"));
            options.done();
            if (args.tasks() < 1 || args.rate() < 1) {
                throw new IllegalArgumentException("--tasks and --rate must be at least 1");
            }
            return args;
        }
    }

    /** One run's figures. */
    record Run(
            String mode,
            int tasks,
            int results,
            int requests,
            double spendUsd,
            double savedUsd,
            int cached,
            int cachedParaphrases,
            int paraphrases,
            int wrong,
            long p50CalledMs,
            double cpuSecondsPer1k) {}

    public static void main(String[] argv) throws Exception {
        Args args;
        try {
            args = Args.parse(argv);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Path out = args.out() != null ? args.out() : ReportWriter.defaultFolder("cache");
        Files.createDirectories(out);
        MiniLmTextEmbedder embedder = new MiniLmTextEmbedder();
        double threshold = HivestreamOptions.CACHE_SEMANTIC_THRESHOLD.defaultValue();
        List<CacheAccuracy.Pair> pairs = CacheAccuracy.pairs();
        List<String> sweep = new ArrayList<>();
        for (double t : List.of(0.80, 0.85, 0.88, 0.90, 0.92, 0.95)) {
            CacheAccuracy.Outcome outcome =
                    CacheAccuracy.run(
                            pairs, embedder, new SemanticCache(t, Duration.ofHours(1), 10));
            sweep.add(
                    String.format(
                            Locale.ROOT,
                            "| %.2f%s | %d of %d | %d of %d | %d |",
                            t,
                            t == threshold ? " (default)" : "",
                            outcome.hits(),
                            outcome.same(),
                            outcome.wrongHits(),
                            outcome.different(),
                            cosineOnlyWrongHits(pairs, embedder, t)));
        }
        CacheMix mix = CacheMix.of(args.tasks(), args.seed());
        List<Run> runs = new ArrayList<>();
        try (LocalKafkaCluster kafka =
                        LocalKafkaCluster.builder()
                                .directory(out.resolve("kafka"))
                                .heapMb(1024)
                                .start();
                ChatCompletionsServer provider =
                        new ChatCompletionsServer(
                                user -> "answer to " + user, user -> args.providerMs())) {
            for (String mode : List.of("off", "exact", "semantic")) {
                runs.add(run(kafka, provider, mode, mix, args, out));
            }
        }
        String report = report(args, mix, runs, sweep, pairs.size());
        Files.writeString(out.resolve("report.md"), report);
        System.out.print(report);
        System.exit(0);
    }

    private static int cosineOnlyWrongHits(
            List<CacheAccuracy.Pair> pairs, MiniLmTextEmbedder embedder, double threshold) {
        int wrong = 0;
        for (CacheAccuracy.Pair pair : pairs) {
            if (pair.same()) {
                continue;
            }
            float[] a = SemanticCache.unit(embedder.embed(pair.first()));
            float[] b = SemanticCache.unit(embedder.embed(pair.second()));
            double dot = 0;
            for (int i = 0; i < a.length; i++) {
                dot += a[i] * b[i];
            }
            wrong += dot >= threshold ? 1 : 0;
        }
        return wrong;
    }

    private static Run run(
            LocalKafkaCluster kafka,
            ChatCompletionsServer provider,
            String mode,
            CacheMix mix,
            Args args,
            Path out)
            throws Exception {
        String name = "cache-" + mode;
        for (String suffix : List.of(".tasks", ".results", ".metrics", ".dlq")) {
            kafka.createTopic(name + suffix, 2);
        }
        kafka.createTopic(name + ".agents", 1, Map.of("cleanup.policy", "compact"));
        kafka.createTopic(name + ".calls", 2, Map.of("cleanup.policy", "compact,delete"));
        AgentEvent agent = provider.agent("loopback-llm", "chat").setMaxConcurrency(64).build();
        try (KafkaProducer<byte[], byte[]> producer =
                KafkaClients.producer(kafka.bootstrapServers())) {
            producer.send(
                            new ProducerRecord<>(
                                    name + ".agents",
                                    bytes(agent.getAgentId()),
                                    Codecs.AGENT_EVENT.encodeAvro(agent)))
                    .get();
        }
        Configuration conf = configuration(kafka.bootstrapServers(), name, mode, out);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, conf);
        HivestreamJob.build(
                env, conf, new AgentRuntimes(), Clock.systemUTC(), UnaryOperator.identity());
        JobClient job = env.executeAsync(name);
        int before = provider.total();
        try {
            // Warm: one task answered, so the agent is known and the stages are running.
            Map<String, Long> sentAt = new HashMap<>();
            try (KafkaProducer<byte[], byte[]> producer =
                    KafkaClients.producer(kafka.bootstrapServers())) {
                send(producer, name, "warm", "Say hello.", "off");
                waitFor(kafka.bootstrapServers(), name, Set.of("warm"), job);
                long cpuBefore = cpuNanos();
                long start = System.nanoTime();
                List<CacheMix.Prompt> prompts = mix.prompts();
                for (int i = 0; i < prompts.size(); i++) {
                    long due = start + TimeUnit.SECONDS.toNanos(1) * i / args.rate();
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    String id = "q" + i;
                    sentAt.put(id, System.currentTimeMillis());
                    send(producer, name, id, prompts.get(i).text(), mode);
                }
                producer.flush();
                Set<String> ids = new java.util.HashSet<>(sentAt.keySet());
                Map<String, TaskResult> results = waitFor(kafka.bootstrapServers(), name, ids, job);
                double cpuSeconds = (cpuNanos() - cpuBefore) / 1e9;
                return measure(
                        kafka.bootstrapServers(),
                        name,
                        mode,
                        mix,
                        results,
                        sentAt,
                        provider.total() - before - 1,
                        cpuSeconds);
            }
        } finally {
            try {
                job.cancel().get(60, TimeUnit.SECONDS);
                job.getJobExecutionResult().handle((r, e) -> null).get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                // Already over.
            }
        }
    }

    private static Run measure(
            String bootstrap,
            String name,
            String mode,
            CacheMix mix,
            Map<String, TaskResult> results,
            Map<String, Long> sentAt,
            int requests,
            double cpuSeconds) {
        Map<String, Integer> questionOf = new HashMap<>();
        for (CacheMix.Prompt prompt : mix.prompts()) {
            questionOf.put(prompt.text(), prompt.question());
        }
        int cached = 0;
        int cachedParaphrases = 0;
        int paraphrases = 0;
        int wrong = 0;
        List<Long> called = new ArrayList<>();
        List<CacheMix.Prompt> prompts = mix.prompts();
        for (int i = 0; i < prompts.size(); i++) {
            CacheMix.Prompt prompt = prompts.get(i);
            TaskResult result = results.get("q" + i);
            if (result == null) {
                continue;
            }
            boolean isCached =
                    !result.getAnswers().isEmpty() && result.getAnswers().get(0).getCached();
            cached += isCached ? 1 : 0;
            if (prompt.kind() == CacheMix.Kind.PARAPHRASE) {
                paraphrases++;
                cachedParaphrases += isCached ? 1 : 0;
            }
            String output = result.getOutput() == null ? "" : result.getOutput();
            Integer answered =
                    output.startsWith("answer to ")
                            ? questionOf.get(output.substring("answer to ".length()))
                            : null;
            if (answered == null || answered != prompt.question()) {
                wrong++;
            }
            if (!isCached) {
                called.add(result.getCompletedAt() - sentAt.get("q" + i));
            }
        }
        double spend = 0;
        double saved = 0;
        for (ConsumerRecord<byte[], byte[]> record :
                KafkaClients.readAll(bootstrap, name + ".metrics", Duration.ofSeconds(60))) {
            Metric metric = Codecs.METRIC.decode(record.value());
            if (metric.getKind() == MetricKind.CALL
                    && metric.getCall() != null
                    && !"warm".equals(metric.getTaskId())) {
                spend += metric.getCall().getCostUsd();
                saved += metric.getCall().getSavedUsd();
            }
        }
        called.sort(null);
        long p50 = called.isEmpty() ? 0 : called.get((called.size() - 1) / 2);
        return new Run(
                mode,
                prompts.size(),
                (int) results.keySet().stream().filter(id -> id.startsWith("q")).count(),
                requests,
                spend,
                saved,
                cached,
                cachedParaphrases,
                paraphrases,
                wrong,
                p50,
                cpuSeconds * 1000 / prompts.size());
    }

    private static Map<String, TaskResult> waitFor(
            String bootstrap, String name, Set<String> ids, JobClient job) throws Exception {
        Map<String, TaskResult> results = new HashMap<>();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        try (KafkaConsumer<byte[], byte[]> consumer =
                KafkaClients.readCommittedConsumer(bootstrap)) {
            KafkaClients.assignAll(consumer, name + ".results", false);
            while (!results.keySet().containsAll(ids)) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    TaskResult result = Codecs.TASK_RESULT.decode(record.value());
                    results.putIfAbsent(result.getTaskId(), result);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            name + ": " + results.size() + " results of " + ids.size());
                }
                if (job.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
                    throw new IllegalStateException(name + ": the job ended early");
                }
            }
        }
        return results;
    }

    private static void send(
            KafkaProducer<byte[], byte[]> producer,
            String name,
            String id,
            String input,
            String mode) {
        Task task =
                Task.newBuilder()
                        .setTaskId(id)
                        .setKind("chat")
                        .setInput(input)
                        .setMetadata(Map.of("cache", mode))
                        .build();
        producer.send(
                new ProducerRecord<>(name + ".tasks", bytes(id), Codecs.TASK.encodeAvro(task)));
    }

    private static Configuration configuration(
            String bootstrap, String name, String mode, Path out) {
        Configuration conf = new Configuration();
        conf.set(HivestreamOptions.BOOTSTRAP_SERVERS, bootstrap);
        conf.set(HivestreamOptions.TASKS_TOPIC, name + ".tasks");
        conf.set(HivestreamOptions.RESULTS_TOPIC, name + ".results");
        conf.set(HivestreamOptions.AGENTS_TOPIC, name + ".agents");
        conf.set(HivestreamOptions.METRICS_TOPIC, name + ".metrics");
        conf.set(HivestreamOptions.CALLS_TOPIC, name + ".calls");
        conf.set(HivestreamOptions.DLQ_TOPIC, name + ".dlq");
        conf.set(HivestreamOptions.GROUP_ID, name);
        conf.set(HivestreamOptions.TRANSACTIONAL_ID_PREFIX, name);
        conf.set(HivestreamOptions.TRANSACTION_TIMEOUT, Duration.ofMinutes(5));
        conf.set(HivestreamOptions.AGENT_WAIT, Duration.ofMinutes(2));
        conf.set(HivestreamOptions.CACHE_SEMANTIC, mode.equals("semantic"));
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(1));
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                out.resolve("checkpoints").resolve(name).toAbsolutePath().toUri().toString());
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(256));
        return JobSettings.apply(conf);
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String report(
            Args args, CacheMix mix, List<Run> runs, List<String> sweep, int pairCount) {
        long repeats = mix.prompts().stream().filter(p -> p.kind() == CacheMix.Kind.REPEAT).count();
        long paraphrases =
                mix.prompts().stream().filter(p -> p.kind() == CacheMix.Kind.PARAPHRASE).count();
        StringBuilder md = new StringBuilder();
        md.append("# Response cache\n\n");
        md.append(
                String.format(
                        Locale.ROOT,
                        "%d tasks (%d new questions, %d exact repeats, %d paraphrases; seed %d)"
                                + " published at %d/s to a job of parallelism 2, exactly-once, 1 s"
                                + " checkpoints, with one agent on a loopback server answering after"
                                + " %d ms; each mode in a job of its own.%n%n",
                        mix.prompts().size(),
                        mix.prompts().size() - repeats - paraphrases,
                        repeats,
                        paraphrases,
                        args.seed(),
                        args.rate(),
                        args.providerMs()));
        md.append(
                "| cache | results | provider requests | spend (USD) | spend saved vs off |"
                        + " cached answers | paraphrases cached | wrong answers | p50 of called"
                        + " tasks (ms) | CPU-s per 1,000 tasks |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|\n");
        double offSpend = runs.get(0).spendUsd();
        for (Run run : runs) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %d | %d | %.6f | %.1f%% | %d | %d of %d | %d | %d | %.2f |%n",
                            run.mode(),
                            run.results(),
                            run.requests(),
                            run.spendUsd(),
                            offSpend == 0 ? 0 : 100 * (1 - run.spendUsd() / offSpend),
                            run.cached(),
                            run.cachedParaphrases(),
                            run.paraphrases(),
                            run.wrong(),
                            run.p50CalledMs(),
                            run.cpuSecondsPer1k()));
        }
        Run semantic = runs.get(2);
        md.append(
                String.format(
                        Locale.ROOT,
                        "%nAdded p50 latency of a called task with the semantic cache: %d ms"
                                + " (semantic − off). `savedUsd` recorded by the semantic run's"
                                + " cached answers: %.6f USD.%n",
                        semantic.p50CalledMs() - runs.get(0).p50CalledMs(),
                        semantic.savedUsd()));
        md.append(
                String.format(
                        Locale.ROOT,
                        "%nThe semantic cache on the labelled pairs (`cache/pairs.tsv`: %d pairs,"
                                + " half paraphrases, half near misses):%n%n",
                        pairCount));
        md.append(
                "| threshold | paraphrases hit | wrong hits, with the lexical guard | wrong hits,"
                        + " cosine alone |\n|---|---|---|---|\n");
        sweep.forEach(line -> md.append(line).append('\n'));
        return md.toString();
    }
}
