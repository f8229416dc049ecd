package io.hivestream.jobs;

import io.hivestream.connectors.analyse.OnnxLiveModels;
import io.hivestream.operators.Outputs;
import io.hivestream.operators.aggregate.AggregateFunction;
import io.hivestream.operators.analyse.AnalyseFunction;
import io.hivestream.operators.analyse.LiveAnalyseFunction;
import io.hivestream.operators.consensus.ConsensusFunction;
import io.hivestream.operators.consensus.RoutingEvidence;
import io.hivestream.operators.consensus.TaskResults;
import io.hivestream.operators.consensus.TextEmbedder;
import io.hivestream.operators.decode.DecodeFunction;
import io.hivestream.operators.decode.RawDecoder;
import io.hivestream.operators.decode.TaskValidator;
import io.hivestream.operators.execute.AgentRuntimeFactory;
import io.hivestream.operators.execute.CallJournal;
import io.hivestream.operators.execute.ExecuteOperator;
import io.hivestream.operators.execute.ExecuteOperatorFactory;
import io.hivestream.operators.execute.SemanticCacheFunction;
import io.hivestream.operators.execute.SemanticFills;
import io.hivestream.operators.lineage.KeySource;
import io.hivestream.operators.lineage.SignOperator;
import io.hivestream.operators.plan.MergeSynthesizer;
import io.hivestream.operators.plan.PlanValidator;
import io.hivestream.operators.plan.TemplatePlanner;
import io.hivestream.operators.route.AgentStatistics;
import io.hivestream.operators.route.AgentStatsFunction;
import io.hivestream.operators.route.Escalation;
import io.hivestream.operators.route.RouteFunction;
import io.hivestream.operators.route.SessionKeys;
import io.hivestream.operators.route.TurnOrder;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.DeadLetter;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.RouterModel;
import io.hivestream.schemas.RoutingExample;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.codec.FastCoders;
import io.hivestream.schemas.internal.AgentView;
import io.hivestream.schemas.internal.AnalyzedTask;
import io.hivestream.schemas.internal.CallReply;
import io.hivestream.schemas.internal.CallRequest;
import io.hivestream.schemas.internal.RawRecord;
import io.hivestream.schemas.internal.SemanticFill;
import java.time.Clock;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;

/**
 * The job's topology, with its sources and sinks passed in: production wiring passes Kafka, tests
 * may pass their own. Every operator has a stable uid so savepoints survive upgrades.
 *
 * <pre>
 * tasks ─ decode ─ [admit] ─ analyse ─ route ═ execute ─ consensus ─ aggregate ─ results
 *                                                 └──── one replica ─────┘
 * [models ─ check (one instance) ─ broadcast to analyse]
 *                                      └── tasks to decompose ─────────────┘ └─ subtasks,
 *                                                                               cancellations ─ tasks topic
 * agents ─ decode ─ agent statistics (keyed by agent) ─ views ─ broadcast to route and execute
 * metrics ─ decode ─┬─ calls and votes ─ to agent statistics
 *                   └─ reputations ─ broadcast to consensus
 * results ─ sign (keyed by tenant, when lineage is on) ─ results sink
 * metrics, dead letters and (when on) routing examples leave as side outputs; ═ : the same key
 * (the session), no shuffle
 * </pre>
 */
public final class Pipeline {
    /** The execute stage's uid: its keyed state (queues, memory, calls in flight) is under it. */
    public static final String EXECUTE_UID = "execute";

    /** How long the analyse stage's output waits to fill a buffer when the semantic stage is on. */
    static final long SEMANTIC_HOP_FLUSH_MS = 1;

    private Pipeline() {}

    /**
     * Where the job writes.
     *
     * @param journal where the execute stage journals its calls' outcomes
     * @param examples where labelled routing examples go when {@link
     *     HivestreamOptions#ROUTE_EXAMPLES} is on; null: nowhere
     */
    public record Sinks(
            Sink<TaskResult> results,
            Sink<Metric> metrics,
            Sink<DeadLetter> deadLetters,
            Sink<Task> subtasks,
            CallJournal.Factory journal,
            Sink<RoutingExample> examples) {
        /** Sinks without routing examples. */
        public Sinks(
                Sink<TaskResult> results,
                Sink<Metric> metrics,
                Sink<DeadLetter> deadLetters,
                Sink<Task> subtasks,
                CallJournal.Factory journal) {
            this(results, metrics, deadLetters, subtasks, journal, null);
        }

        /** Sinks without a call journal. */
        public Sinks(
                Sink<TaskResult> results,
                Sink<Metric> metrics,
                Sink<DeadLetter> deadLetters,
                Sink<Task> subtasks) {
            this(results, metrics, deadLetters, subtasks, CallJournal.NONE);
        }
    }

    /**
     * Defines the topology.
     *
     * @param rawMetrics the metrics topic read back: agents' calls and votes teach the router,
     *     their reputations weigh weighted votes
     * @param embedder embeds answers for semantic votes
     * @param afterDecode applied to the decoded tasks before analysis; identity in production
     * @return the results stream, as handed to the results sink
     */
    public static DataStream<TaskResult> define(
            DataStream<RawRecord> rawTasks,
            DataStream<RawRecord> rawAgents,
            DataStream<RawRecord> rawMetrics,
            Sinks sinks,
            Configuration conf,
            AgentRuntimeFactory runtimes,
            TextEmbedder embedder,
            Clock clock,
            UnaryOperator<DataStream<Task>> afterDecode) {
        return define(
                rawTasks,
                rawAgents,
                rawMetrics,
                null,
                null,
                null,
                sinks,
                conf,
                runtimes,
                embedder,
                clock,
                afterDecode);
    }

    /**
     * Defines the topology with the admit stage when {@link HivestreamOptions#TENANTS_ENFORCE} is
     * on.
     *
     * @param rawTenants the tenants topic; null: no admit stage
     * @param rawCalls the call journal read back, whose fills teach the semantic cache stage; null:
     *     no semantic cache stage
     * @param rawModels the models topic, whose checked models the analyse stage takes while it
     *     runs; null: the analyser keeps the models it started with
     */
    public static DataStream<TaskResult> define(
            DataStream<RawRecord> rawTasks,
            DataStream<RawRecord> rawAgents,
            DataStream<RawRecord> rawMetrics,
            DataStream<RawRecord> rawTenants,
            DataStream<RawRecord> rawCalls,
            DataStream<RawRecord> rawModels,
            Sinks sinks,
            Configuration conf,
            AgentRuntimeFactory runtimes,
            TextEmbedder embedder,
            Clock clock,
            UnaryOperator<DataStream<Task>> afterDecode) {
        // Also switched on by every stage when it opens, in TaskManagers that build nothing.
        FastCoders.enable();
        RawDecoder decoder =
                new RawDecoder(
                        new TaskValidator(
                                conf.get(HivestreamOptions.MAX_INPUT_CHARS),
                                conf.get(HivestreamOptions.MAX_REPLICAS)),
                        StageSettings.tenantSource(conf),
                        conf.get(HivestreamOptions.LINEAGE_ENABLED));

        SingleOutputStreamOperator<Task> tasks =
                rawTasks.process(
                                new DecodeFunction<>("decode-tasks", decoder::decodeTask, clock),
                                new AvroTypeInfo<>(Task.class))
                        .uid("decode-tasks")
                        .name("decode tasks");
        SingleOutputStreamOperator<AgentEvent> agents =
                rawAgents
                        .process(
                                new DecodeFunction<>("decode-agents", decoder::decodeAgent, clock),
                                new AvroTypeInfo<>(AgentEvent.class))
                        .uid("decode-agents")
                        .name("decode agents");

        SingleOutputStreamOperator<Metric> feedback =
                rawMetrics
                        .process(
                                new DecodeFunction<>(
                                        "decode-metrics", decoder::decodeMetric, clock),
                                new AvroTypeInfo<>(Metric.class))
                        .uid("decode-metrics")
                        .name("decode metrics");

        // Spend control: tasks start only as their tenant's budgets, rate and maxInFlight allow.
        AdmitStage admit =
                rawTenants != null && conf.get(HivestreamOptions.TENANTS_ENFORCE)
                        ? AdmitStage.define(
                                afterDecode.apply(tasks),
                                rawTenants,
                                feedback,
                                decoder,
                                conf,
                                clock)
                        : null;

        DataStream<Task> toAnalyse = admit != null ? admit.admitted() : afterDecode.apply(tasks);
        SingleOutputStreamOperator<RouterModel> models = null;
        SingleOutputStreamOperator<AnalyzedTask> analysed;
        if (rawModels != null) {
            // Checked once, then broadcast: a refused model is one dead letter, not one per
            // analyse instance.
            OnnxLiveModels live = StageSettings.liveModels(conf);
            models =
                    rawModels
                            .process(
                                    new DecodeFunction<>(
                                            "check-models",
                                            LiveAnalyseFunction.checker(live),
                                            clock),
                                    new AvroTypeInfo<>(RouterModel.class))
                            .setParallelism(1)
                            .uid("check-models")
                            .name("check models");
            analysed =
                    toAnalyse
                            .connect(models.broadcast(LiveAnalyseFunction.MODELS))
                            .process(
                                    new LiveAnalyseFunction(
                                            live, clock, StageSettings.cachePolicy(conf)),
                                    new AvroTypeInfo<>(AnalyzedTask.class))
                            .uid("analyse")
                            .name("analyse");
        } else {
            analysed =
                    toAnalyse
                            .process(
                                    new AnalyseFunction(
                                            StageSettings.complexityAnalyzer(conf),
                                            clock,
                                            StageSettings.cachePolicy(conf)),
                                    new AvroTypeInfo<>(AnalyzedTask.class))
                            .uid("analyse")
                            .name("analyse");
        }

        // The semantic cache answers a task whose input means what an earlier one of its class
        // asked; its answers come back from the call journal.
        DataStream<AnalyzedTask> toRoute = analysed;
        DataStream<CallReply> cachedReplies = null;
        if (rawCalls != null) {
            // The stage has two inputs, so it cannot be chained to the analyse stage: the hop
            // between them flushes at once rather than after the default buffer timeout (100 ms).
            analysed.setBufferTimeout(SEMANTIC_HOP_FLUSH_MS);
            SingleOutputStreamOperator<AnalyzedTask> semantic =
                    analysed.connect(
                                    rawCalls.flatMap(
                                                    (RawRecord record,
                                                            Collector<SemanticFill> out) -> {
                                                        SemanticFill fill =
                                                                SemanticFills.of(record);
                                                        if (fill != null) {
                                                            out.collect(fill);
                                                        }
                                                    },
                                                    new AvroTypeInfo<>(SemanticFill.class))
                                            .uid("semantic-fills")
                                            .name("semantic cache fills")
                                            .broadcast(SemanticCacheFunction.ENTRIES))
                            .process(
                                    new SemanticCacheFunction(
                                            embedder, StageSettings.semanticCache(conf), clock),
                                    new AvroTypeInfo<>(AnalyzedTask.class))
                            .uid("semantic-cache")
                            .name("semantic cache");
            toRoute = semantic;
            cachedReplies = semantic.getSideOutput(SemanticCacheFunction.HITS);
        }

        // Per agent: its record, heartbeat deadline and what its calls and votes taught.
        SingleOutputStreamOperator<AgentView> views =
                agents.keyBy(AgentEvent::getAgentId, Types.STRING)
                        .connect(
                                feedback.filter(
                                                m ->
                                                        m.getAgentId() != null
                                                                && (m.getKind() == MetricKind.CALL
                                                                        || m.getKind()
                                                                                == MetricKind
                                                                                        .REPUTATION))
                                        .uid("agent-feedback")
                                        .name("agent feedback")
                                        .keyBy(Metric::getAgentId, Types.STRING))
                        .process(
                                new AgentStatsFunction(
                                        new AgentStatistics(),
                                        conf.get(HivestreamOptions.MISSED_HEARTBEATS),
                                        conf.get(HivestreamOptions.STATS_INTERVAL),
                                        clock),
                                new AvroTypeInfo<>(AgentView.class))
                        .uid("agent-stats")
                        .name("agent statistics");

        BroadcastStream<AgentView> registry = views.broadcast(RouteFunction.AGENTS);
        // Tasks to decompose pass the route stage too, which tells the planner what agents offer.
        SingleOutputStreamOperator<Either<CallRequest, AgentView>> routed =
                toRoute.union(analysed.getSideOutput(AnalyseFunction.PLANS))
                        .keyBy(SessionKeys::of, Types.STRING)
                        .connect(registry)
                        .process(
                                new RouteFunction(
                                                StageSettings.router(conf),
                                                new Escalation(
                                                        conf.get(
                                                                HivestreamOptions
                                                                        .CASCADE_THRESHOLD),
                                                        1
                                                                + conf.get(
                                                                        HivestreamOptions
                                                                                .MAX_FALLBACKS)),
                                                conf.get(HivestreamOptions.AGENT_WAIT),
                                                clock,
                                                conf.get(HivestreamOptions.BOUNDED),
                                                conf.get(HivestreamOptions.ROUTE_SEED),
                                                conf.get(
                                                        HivestreamOptions.RESULTS_DEDUPE_RETENTION),
                                                conf.get(HivestreamOptions.TASKS_TOPIC))
                                        .withTurns(
                                                new TurnOrder(
                                                        conf.get(
                                                                HivestreamOptions
                                                                        .SESSIONS_GAP_WAIT)),
                                                conf.get(HivestreamOptions.MEMORY_TTL)),
                                RouteFunction.OUTPUT)
                        .uid("route")
                        .name("route");

        boolean examples = conf.get(HivestreamOptions.ROUTE_EXAMPLES);
        if (examples && sinks.examples() == null) {
            throw new IllegalArgumentException(
                    HivestreamOptions.ROUTE_EXAMPLES.key()
                            + " is on but no examples sink is given");
        }
        RoutingEvidence evidence = examples ? new RoutingEvidence(analyzer(conf)) : null;
        // Route and execute share their key and are chained: requests go on to the execute
        // instance of the same index without a shuffle or a copy in bytes, and a session's turns
        // keep their order between the two. The views the route stage receives come with them:
        // work queued for an agent that leaves the rotation is re-routed there.
        SingleOutputStreamOperator<CallReply> replies =
                DataStreamUtils.reinterpretAsKeyedStream(
                                routed,
                                (KeySelector<Either<CallRequest, AgentView>, String>)
                                        SessionKeys::of,
                                Types.STRING)
                        .transform(
                                "execute",
                                new AvroTypeInfo<>(CallReply.class),
                                new ExecuteOperatorFactory(
                                                runtimes,
                                                StageSettings.executeSettings(conf),
                                                StageSettings.toolPolicy(conf),
                                                clock,
                                                StageSettings.router(conf),
                                                sinks.journal())
                                        .decidingAlone(new TaskResults(clock, evidence)))
                        .uid(EXECUTE_UID)
                        .name("execute");

        BroadcastStream<Metric> reputations =
                feedback.filter(m -> m.getKind() == MetricKind.REPUTATION)
                        .uid("reputations")
                        .name("reputations")
                        .broadcast(ConsensusFunction.REPUTATIONS);

        SingleOutputStreamOperator<TaskResult> decided =
                (cachedReplies == null ? replies : replies.union(cachedReplies))
                        .keyBy(r -> r.getRequest().getTask().getTask().getTaskId(), Types.STRING)
                        .connect(reputations)
                        .process(
                                new ConsensusFunction(
                                        clock,
                                        embedder,
                                        conf.get(HivestreamOptions.CONSENSUS_TIMEOUT),
                                        conf.get(HivestreamOptions.CONSENSUS_RETENTION),
                                        evidence),
                                new AvroTypeInfo<>(TaskResult.class))
                        .uid("consensus")
                        .name("consensus");

        TemplatePlanner planner = new TemplatePlanner();
        int maxReplicas = conf.get(HivestreamOptions.MAX_REPLICAS);
        // A task with one replica is decided where its call ends (the execute stage); the
        // consensus stage decides votes and the answers of the semantic cache.
        DataStream<TaskResult> direct = replies.getSideOutput(ExecuteOperator.DECIDED);
        SingleOutputStreamOperator<TaskResult> results =
                (admit != null ? decided.union(direct, admit.rejected()) : decided.union(direct))
                        .keyBy(AggregateFunction::rootOf, Types.STRING)
                        .connect(
                                routed.getSideOutput(RouteFunction.PLANS)
                                        .keyBy(t -> t.getTask().getTaskId(), Types.STRING))
                        .process(
                                new AggregateFunction(
                                        planner,
                                        new PlanValidator(
                                                conf.get(HivestreamOptions.PLAN_MAX_SUBTASKS),
                                                maxReplicas,
                                                planner.capabilities()),
                                        new MergeSynthesizer(),
                                        StageSettings.planSettings(conf),
                                        conf.get(HivestreamOptions.PLAN_TIMEOUT),
                                        clock,
                                        conf.get(HivestreamOptions.BOUNDED),
                                        conf.get(HivestreamOptions.RESULTS_DEDUPE_RETENTION),
                                        conf.get(HivestreamOptions.TASKS_TOPIC)),
                                new AvroTypeInfo<>(TaskResult.class))
                        .uid("aggregate")
                        .name("aggregate");

        DataStream<TaskResult> written = signed(results, conf);
        written.sinkTo(sinks.results()).uid("results-sink").name("results sink");
        results.getSideOutput(AggregateFunction.SUBTASKS)
                .sinkTo(sinks.subtasks())
                .uid("subtasks-sink")
                .name("subtasks sink");
        decided.getSideOutput(Outputs.METRICS)
                .union(
                        replies.getSideOutput(Outputs.METRICS),
                        results.getSideOutput(Outputs.METRICS))
                .sinkTo(sinks.metrics())
                .uid("metrics-sink")
                .name("metrics sink");
        if (examples) {
            decided.getSideOutput(ConsensusFunction.EXAMPLES)
                    .union(replies.getSideOutput(ConsensusFunction.EXAMPLES))
                    .sinkTo(sinks.examples())
                    .uid("routing-examples-sink")
                    .name("routing examples sink");
        }
        DataStream<DeadLetter> deadLetters =
                tasks.getSideOutput(Outputs.DEAD_LETTERS)
                        .union(
                                agents.getSideOutput(Outputs.DEAD_LETTERS),
                                feedback.getSideOutput(Outputs.DEAD_LETTERS),
                                routed.getSideOutput(Outputs.DEAD_LETTERS),
                                results.getSideOutput(Outputs.DEAD_LETTERS));
        if (admit != null) {
            deadLetters = deadLetters.union(admit.deadLetters());
        }
        if (models != null) {
            deadLetters = deadLetters.union(models.getSideOutput(Outputs.DEAD_LETTERS));
        }
        deadLetters.sinkTo(sinks.deadLetters()).uid("dlq-sink").name("dead-letter sink");
        return written;
    }

    /**
     * The analyser routing examples name: {@link HivestreamOptions#ANALYZER}, and its model file
     * after a colon when one is set.
     */
    static String analyzer(Configuration conf) {
        String model = conf.get(HivestreamOptions.ANALYSE_MODEL);
        String analyzer = conf.get(HivestreamOptions.ANALYZER);
        return model.isBlank() ? analyzer : analyzer + ":" + model;
    }

    /**
     * The results with their lineage signed, when lineage is on: keyed by tenant, whose chain head
     * is the stage's checkpointed state. The key is read where the stage runs, from the file or
     * environment variable the options name.
     */
    private static DataStream<TaskResult> signed(
            DataStream<TaskResult> results, Configuration conf) {
        if (!conf.get(HivestreamOptions.LINEAGE_ENABLED)) {
            return results;
        }
        KeySource key =
                new KeySource(
                        conf.get(HivestreamOptions.LINEAGE_KEY_FILE),
                        conf.get(HivestreamOptions.LINEAGE_KEY_ENV),
                        conf.get(HivestreamOptions.LINEAGE_KEY_ID));
        return results.keyBy(TaskResult::getTenant, Types.STRING)
                .transform(
                        "sign results",
                        new AvroTypeInfo<>(TaskResult.class),
                        new SignOperator(
                                key,
                                conf.get(HivestreamOptions.LINEAGE_BATCH_SIZE),
                                // Exactly-once results are visible at the checkpoint after them:
                                // signing at its barrier delays none.
                                conf.get(HivestreamOptions.DELIVERY)
                                                == DeliveryGuarantee.EXACTLY_ONCE
                                        ? null
                                        : conf.get(HivestreamOptions.LINEAGE_MAX_DELAY)))
                .uid("sign-results")
                .name("sign results");
    }
}
