package io.hivestream.jobs;

import io.hivestream.connectors.analyse.OnnxComplexityAnalyzer;
import io.hivestream.connectors.kafka.KafkaIO;
import io.hivestream.operators.Duplicates;
import io.hivestream.operators.admit.AdmitFunction;
import io.hivestream.operators.aggregate.AggregateFunction;
import io.hivestream.operators.analyse.AnalysisPolicy;
import io.hivestream.operators.analyse.UncertainBand;
import io.hivestream.operators.consensus.ConsensusFunction;
import io.hivestream.operators.decode.TenantSource;
import io.hivestream.operators.execute.ExecuteSettings;
import io.hivestream.operators.plan.PlanSettings;
import io.hivestream.operators.plan.PlanValidator;
import io.hivestream.operators.route.AgentStatsFunction;
import io.hivestream.operators.route.Escalation;
import io.hivestream.operators.route.Router;
import io.hivestream.schemas.codec.WireFormat;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;

/**
 * Every setting of the Hivestream job, with its default and meaning. The table in
 * docs/configuration.md lists these.
 */
public final class HivestreamOptions {
    private HivestreamOptions() {}

    public static final ConfigOption<String> BOOTSTRAP_SERVERS =
            ConfigOptions.key("hivestream.kafka.bootstrap-servers")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Kafka bootstrap servers, HOST:PORT[,HOST:PORT...]. Required.");

    public static final ConfigOption<String> TASKS_TOPIC =
            ConfigOptions.key("hivestream.topics.tasks")
                    .stringType()
                    .defaultValue("hivestream.tasks")
                    .withDescription("Topic the tasks are read from (Avro or JSON records).");

    public static final ConfigOption<String> RESULTS_TOPIC =
            ConfigOptions.key("hivestream.topics.results")
                    .stringType()
                    .defaultValue("hivestream.results")
                    .withDescription("Topic the results are written to, one per accepted task.");

    public static final ConfigOption<String> AGENTS_TOPIC =
            ConfigOptions.key("hivestream.topics.agents")
                    .stringType()
                    .defaultValue("hivestream.agents")
                    .withDescription(
                            "Compacted topic of agent registrations, updates, retirements and heartbeats.");

    public static final ConfigOption<String> METRICS_TOPIC =
            ConfigOptions.key("hivestream.topics.metrics")
                    .stringType()
                    .defaultValue("hivestream.metrics")
                    .withDescription("Topic of call, task and reputation metrics.");

    public static final ConfigOption<String> DLQ_TOPIC =
            ConfigOptions.key("hivestream.topics.dlq")
                    .stringType()
                    .defaultValue("hivestream.dlq")
                    .withDescription(
                            "Dead-letter topic: records that did not decode or validate, with the reason.");

    public static final ConfigOption<String> CALLS_TOPIC =
            ConfigOptions.key("hivestream.topics.calls")
                    .stringType()
                    .defaultValue("hivestream.calls")
                    .withDescription(
                            "Journal of provider calls' outcomes, keyed by call id (compact,delete): written outside the checkpoint's transactions as each call completes, read after a restore so that no call whose outcome was journaled is paid again. Empty: no journal; a restore makes again every call started after the checkpoint.");

    public static final ConfigOption<String> EXAMPLES_TOPIC =
            ConfigOptions.key("hivestream.topics.routing-examples")
                    .stringType()
                    .defaultValue("hivestream.routing-examples")
                    .withDescription(
                            "Topic of labelled routing examples, written when hivestream.route.examples is on; ./hivestream train-router --examples-topic adds them to its training data.");

    public static final ConfigOption<String> MODELS_TOPIC =
            ConfigOptions.key("hivestream.topics.models")
                    .stringType()
                    .defaultValue("hivestream.models")
                    .withDescription(
                            "Compacted topic of complexity models, keyed by the analyser slot they fill (onnx, onnx-embedding), read when hivestream.analyse.live-models is on; ./hivestream models publish writes to it.");

    public static final ConfigOption<String> GROUP_ID =
            ConfigOptions.key("hivestream.kafka.group-id")
                    .stringType()
                    .defaultValue("hivestream")
                    .withDescription(
                            "Consumer group of the sources (offsets are committed on checkpoints).");

    public static final ConfigOption<KafkaIO.StartFrom> START_FROM =
            ConfigOptions.key("hivestream.kafka.start-from")
                    .enumType(KafkaIO.StartFrom.class)
                    .defaultValue(KafkaIO.StartFrom.COMMITTED)
                    .withDescription(
                            "Where the tasks source starts without a checkpoint: COMMITTED (earliest where none), EARLIEST or LATEST.");

    public static final ConfigOption<Boolean> BOUNDED =
            ConfigOptions.key("hivestream.source.bounded")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Read the topics up to their current end, then finish (backfills and tests).");

    public static final ConfigOption<WireFormat> RESULTS_FORMAT =
            ConfigOptions.key("hivestream.results.format")
                    .enumType(WireFormat.class)
                    .defaultValue(WireFormat.AVRO)
                    .withDescription(
                            "Wire format of results, metrics, dead letters and routing examples: AVRO (single-object encoding) or JSON.");

    public static final ConfigOption<Duration> RESULTS_DEDUPE_RETENTION =
            ConfigOptions.key(Duplicates.RETENTION_OPTION)
                    .durationType()
                    .defaultValue(AggregateFunction.DEFAULT_FINISHED_RETENTION)
                    .withDescription(
                            "How long a task id is remembered, from when the route stage receives it and after its result: the same id arriving again within it (a replay upstream, a producer's retry, a resubmission) is stopped before any agent is called and gets no second result but a dead letter. 0: not remembered.");

    public static final ConfigOption<DeliveryGuarantee> DELIVERY =
            ConfigOptions.key("hivestream.delivery")
                    .enumType(DeliveryGuarantee.class)
                    .defaultValue(DeliveryGuarantee.EXACTLY_ONCE)
                    .withDescription(
                            "Delivery guarantee of the sinks: exactly-once (Kafka transactions) or at-least-once (no transactions; checkpoints without aligned barriers unless execution.checkpointing.mode is set).");

    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX =
            ConfigOptions.key("hivestream.kafka.transactional-id-prefix")
                    .stringType()
                    .defaultValue("hivestream")
                    .withDescription(
                            "Prefix of the sinks' transactional ids; unique per job on a cluster.");

    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT =
            ConfigOptions.key("hivestream.kafka.transaction-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription(
                            "Kafka transaction timeout: below the broker's transaction.max.timeout.ms (15 min by default), well above checkpoint interval plus restart time.");

    /**
     * Prefix of the Kafka client properties that every client of the job gets (sources, sinks, the
     * access check): {@code hivestream.kafka.properties.security.protocol=SASL_SSL} sets {@code
     * security.protocol=SASL_SSL}. Not an option of its own: any key under it passes through.
     */
    public static final String KAFKA_PROPERTIES_PREFIX = "hivestream.kafka.properties.";

    /**
     * Secret Kafka client properties whose keys Flink does not take for sensitive, so that it would
     * print their values: under {@value #KAFKA_PROPERTIES_PREFIX} they must be config provider
     * references.
     */
    static final java.util.Set<String> KAFKA_SECRETS_FLINK_WOULD_SHOW =
            java.util.Set.of(
                    "ssl.keystore.key", "sasl.oauthbearer.assertion.private.key.passphrase");

    public static final ConfigOption<KafkaIO.Compression> KAFKA_COMPRESSION =
            ConfigOptions.key("hivestream.kafka.compression")
                    .enumType(KafkaIO.Compression.class)
                    .defaultValue(KafkaIO.Compression.LZ4)
                    .withDescription(
                            "Compression of the batches the sinks write: none, gzip, snappy, lz4 or zstd; every consumer of the topics needs the codec (docs/security.md). Kafka client properties go under hivestream.kafka.properties.*, e.g. hivestream.kafka.properties.security.protocol=SASL_SSL.");

    public static final ConfigOption<Duration> KAFKA_ACCESS_CHECK_TIMEOUT =
            ConfigOptions.key("hivestream.kafka.access-check-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "How long the check at start may take that the job's Kafka credentials and ACLs allow its topics and groups.");

    public static final ConfigOption<Duration> AGENT_WAIT =
            ConfigOptions.key("hivestream.route.agent-wait")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "How long a task waits for an agent with its capabilities before it fails.");

    public static final ConfigOption<Integer> MAX_FALLBACKS =
            ConfigOptions.key("hivestream.route.max-fallbacks")
                    .intType()
                    .defaultValue(2)
                    .withDescription(
                            "Fallback agents tried after the primary agent of each replica.");

    public static final ConfigOption<Double> CASCADE_THRESHOLD =
            ConfigOptions.key("hivestream.cascade.confidence-threshold")
                    .doubleType()
                    .defaultValue(Escalation.DEFAULT_THRESHOLD)
                    .withDescription(
                            "Confidence in [0, 1] under which an EDGE agent's answer to a single-agent task escalates to the cheapest CLOUD agents (0: no cascade); task metadata cascadeThreshold overrides it.");

    public static final ConfigOption<String> ANALYZER =
            ConfigOptions.key("hivestream.analyse.analyzer")
                    .stringType()
                    .defaultValue(Analyzer.ONNX_STATIC.text())
                    .withDescription(
                            "How tasks are scored: onnx-static (the complexity model over the input's static all-MiniLM-L6-v2 embedding, the model's word vectors weighted and averaged without the transformer, and the task features: as right as the transformer's embedding on prompts unlike the training data, at tens of microseconds a task; the model's 47 MB of word vectors are loaded once per TaskManager), onnx (the complexity model over the task features alone, see hivestream.analyse.model; tens of microseconds a task, less right on prompts unlike its training data), two-stage (the feature model decides where it is sure; inside hivestream.analyse.uncertain-band the embedding model decides: more accurate on prompts unlike the training data, milliseconds of CPU for the tasks it embeds; see docs/analysis.md), onnx-embedding (the complexity model over the input's all-MiniLM-L6-v2 embedding and the features; milliseconds of CPU a task where onnx takes tens of microseconds) or rules (a fixed formula of length, code, questions and steps).");

    public static final ConfigOption<String> UNCERTAIN_BAND =
            ConfigOptions.key("hivestream.analyse.uncertain-band")
                    .stringType()
                    .defaultValue(UncertainBand.DEFAULT.toString())
                    .withDescription(
                            "For the two-stage analyser: the feature model's scores LOWER,UPPER (lower included, upper excluded) for which the embedding model decides instead; 0.5,0.5 never embeds, 0,1 nearly always does.");

    public static final ConfigOption<String> ANALYSE_MODEL =
            ConfigOptions.key("hivestream.analyse.model")
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "ONNX file of the complexity model, e.g. one written by ./hivestream train-router --out FILE (with --embedding for onnx-embedding); empty: the model shipped in the job for the chosen analyser.");

    public static final ConfigOption<Boolean> LIVE_MODELS =
            ConfigOptions.key("hivestream.analyse.live-models")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Read hivestream.topics.models while the job runs: a model published there (./hivestream models publish) is checked (its analyser slot, SHA-256, input width, features version, embedding) and then analyses the next tasks without a restart, each result naming its version in analyzerModel; a model that fails the check goes to the dead letters with the reason and the model in use stays. For the onnx, onnx-embedding and two-stage analysers.");

    public static final ConfigOption<Boolean> ROUTE_EXAMPLES =
            ConfigOptions.key("hivestream.route.examples")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Write a labelled example for the complexity model to hivestream.topics.routing-examples, exactly once like the results, for each result that says which tier its task needed: CLOUD when an unsure EDGE answer escalated and the CLOUD answer stands, EDGE when every EDGE agent of a CLOUD task's vote agreed with the winner (docs/routing.md).");

    public static final ConfigOption<Router.Policy> ROUTE_POLICY =
            ConfigOptions.key("hivestream.route.policy")
                    .enumType(Router.Policy.class)
                    .defaultValue(Router.Policy.LEARNED)
                    .withDescription(
                            "LEARNED: within the analysed tier, agents rank by expected value (quality from Thompson draws of their success and agreement, against price, latency and load); CHEAPEST: by price only.");

    public static final ConfigOption<String> ROUTE_PREFERENCE =
            ConfigOptions.key("hivestream.route.preference")
                    .stringType()
                    .defaultValue("balanced")
                    .withDescription(
                            "Weight of quality against cost for tasks without a metadata preference: quality (0.9), balanced (0.5), cost (0.1) or a number in [0, 1].");

    public static final ConfigOption<Map<String, String>> ROUTE_TENANT_PREFERENCES =
            ConfigOptions.key("hivestream.route.tenant-preferences")
                    .mapType()
                    .defaultValue(Map.of())
                    .withDescription(
                            "Per tenant preference, e.g. acme:quality,globex:0.3; a task's metadata preference wins.");

    public static final ConfigOption<Integer> ROUTE_MIN_OBSERVATIONS =
            ConfigOptions.key("hivestream.route.min-observations")
                    .intType()
                    .defaultValue(Router.DEFAULT_MIN_OBSERVATIONS)
                    .withDescription(
                            "Calls (votes) an agent needs before its own success (agreement) record counts; until then it counts as the prior's mean, 0.5.");

    public static final ConfigOption<Long> ROUTE_SEED =
            ConfigOptions.key("hivestream.route.seed")
                    .longType()
                    .defaultValue(0L)
                    .withDescription(
                            "Seed of the routing draws; with the task id it seeds each task's draws, so a replay routes the same way.");

    public static final ConfigOption<Integer> MISSED_HEARTBEATS =
            ConfigOptions.key("hivestream.route.missed-heartbeats")
                    .intType()
                    .defaultValue(AgentStatsFunction.DEFAULT_MISSED_HEARTBEATS)
                    .withDescription(
                            "Heartbeat intervals an agent with heartbeatIntervalMs may miss before it leaves the rotation.");

    public static final ConfigOption<Duration> STATS_INTERVAL =
            ConfigOptions.key("hivestream.route.stats-interval")
                    .durationType()
                    .defaultValue(AgentStatsFunction.DEFAULT_PUBLISH_INTERVAL)
                    .withDescription(
                            "Least time between two publications of an agent's changed statistics to the route stage; registry and health changes go at once.");

    /** The router these options describe. */
    public static final ConfigOption<Double> CLOUD_THRESHOLD =
            ConfigOptions.key("hivestream.analyse.cloud-threshold")
                    .doubleType()
                    .defaultValue(OnnxComplexityAnalyzer.DEFAULT_CLOUD_THRESHOLD)
                    .withDescription("Complexity score from which a task prefers the CLOUD tier.");

    public static final ConfigOption<Boolean> AUTO_DECOMPOSE =
            ConfigOptions.key("hivestream.analyse.auto-decompose")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Whether a task without a strategy hint, with one replica and three or more steps asked for, is decomposed into a plan when its score reaches hivestream.analyse.decompose-threshold.");

    public static final ConfigOption<Double> DECOMPOSE_THRESHOLD =
            ConfigOptions.key("hivestream.analyse.decompose-threshold")
                    .doubleType()
                    .defaultValue(AnalysisPolicy.DEFAULT_DECOMPOSE_THRESHOLD)
                    .withDescription(
                            "Complexity score from which a multi-step task is decomposed when hivestream.analyse.auto-decompose is on.");

    public static final ConfigOption<Duration> CONSENSUS_TIMEOUT =
            ConfigOptions.key("hivestream.consensus.timeout")
                    .durationType()
                    .defaultValue(ConsensusFunction.DEFAULT_TIMEOUT)
                    .withDescription(
                            "How long a vote waits, from its first reply, for the other replicas; then it is decided on the replies it has.");

    public static final ConfigOption<Duration> CONSENSUS_RETENTION =
            ConfigOptions.key("hivestream.consensus.decided-retention")
                    .durationType()
                    .defaultValue(ConsensusFunction.DEFAULT_RETENTION)
                    .withDescription(
                            "How long a task decided before all its replicas answered remembers the winner, so that later replies count for their agents' reputation; later replies never vote again, and the task's marker goes when its last replica answers.");

    public static final ConfigOption<Duration> PLAN_TIMEOUT =
            ConfigOptions.key("hivestream.plan.timeout")
                    .durationType()
                    .defaultValue(AggregateFunction.DEFAULT_PLAN_TIMEOUT)
                    .withDescription(
                            "How long a plan may run when its root task has no deadline; then it ends PARTIAL with what completed.");

    public static final ConfigOption<String> PLAN_PLANNER =
            ConfigOptions.key("hivestream.plan.planner")
                    .stringType()
                    .defaultValue("auto")
                    .withDescription(
                            "Who plans a task to decompose: auto (a planner agent, capability plan, when the agents in rotation offer one, else or when no planner answers the built-in templates), agent (always a planner agent, and a synthesizer agent) or template.");

    public static final ConfigOption<Integer> PLAN_MAX_REPLANS =
            ConfigOptions.key("hivestream.plan.max-replans")
                    .intType()
                    .defaultValue(PlanSettings.DEFAULT_MAX_REPLANS)
                    .withDescription(
                            "How many times an agent-made plan is planned again after a step fails, the failure's reason given to the planner, before the task fails.");

    public static final ConfigOption<String> PLAN_ROLE_PROMPTS =
            ConfigOptions.key("hivestream.plan.role-prompts")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "A JSON file of role to system prompt ({\"researcher\": \"You are ...\"}) that adds to or replaces the built-in prompts given to a plan's agents by the role of their step; read when the job is built.");

    public static final ConfigOption<Integer> PLAN_MAX_SUBTASKS =
            ConfigOptions.key("hivestream.plan.max-subtasks")
                    .intType()
                    .defaultValue(PlanValidator.DEFAULT_MAX_STEPS)
                    .withDescription("Most subtasks a plan may have; a larger plan is refused.");

    public static final ConfigOption<Integer> EXECUTE_CAPACITY =
            ConfigOptions.key("hivestream.execute.capacity")
                    .intType()
                    .defaultValue(1000)
                    .withDescription(
                            "Agent calls in flight per parallel instance; beyond it the stage back-pressures.");

    public static final ConfigOption<Integer> ATTEMPTS_PER_AGENT =
            ConfigOptions.key("hivestream.execute.attempts-per-agent")
                    .intType()
                    .defaultValue(3)
                    .withDescription(
                            "Calls to one agent for one replica, the first included, while its failures are retryable; then the next agent of the chain.");

    public static final ConfigOption<Duration> INITIAL_BACKOFF =
            ConfigOptions.key("hivestream.execute.initial-backoff")
                    .durationType()
                    .defaultValue(Duration.ofMillis(200))
                    .withDescription(
                            "Backoff before the first retry; it doubles per retry, with full jitter. A provider's Retry-After wins when longer.");

    public static final ConfigOption<Duration> MAX_BACKOFF =
            ConfigOptions.key("hivestream.execute.max-backoff")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription("Largest backoff between two calls to the same agent.");

    public static final ConfigOption<Duration> MAX_RETRY_AFTER =
            ConfigOptions.key("hivestream.execute.max-retry-after")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(60))
                    .withDescription(
                            "A provider that asks to wait longer than this is left for the next agent of the chain.");

    public static final ConfigOption<Integer> BREAKER_WINDOW =
            ConfigOptions.key("hivestream.execute.breaker-window")
                    .intType()
                    .defaultValue(20)
                    .withDescription(
                            "Calls per agent over which its circuit breaker measures the failure rate.");

    public static final ConfigOption<Double> BREAKER_FAILURE_RATE =
            ConfigOptions.key("hivestream.execute.breaker-failure-rate")
                    .doubleType()
                    .defaultValue(50.0)
                    .withDescription(
                            "Failure rate in percent at which an agent's circuit opens; while open the agent is skipped.");

    public static final ConfigOption<Duration> BREAKER_OPEN =
            ConfigOptions.key("hivestream.execute.breaker-open")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "How long an open circuit stays open before it lets trial calls through.");

    public static final ConfigOption<Integer> MEMORY_TURNS =
            ConfigOptions.key("hivestream.memory.turns")
                    .intType()
                    .defaultValue(8)
                    .withDescription(
                            "Earlier turns of a session given to each call (0: no session memory).");

    public static final ConfigOption<Duration> SESSIONS_GAP_WAIT =
            ConfigOptions.key("hivestream.sessions.gap-wait")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription(
                            "How long a numbered turn (Task.turn) that arrived before the turns ahead of it waits for them; then the missing turns are given up, the waiting turns go on in order (the first after a gap says so in its result's metadata turnGap), and a given-up turn that arrives later fails with the reason. Turns without a number go in arrival order.");

    public static final ConfigOption<Integer> MEMORY_TURN_CHARS =
            ConfigOptions.key("hivestream.memory.turn-chars")
                    .intType()
                    .defaultValue(2000)
                    .withDescription("Characters kept of each remembered input and output.");

    public static final ConfigOption<Duration> MEMORY_TTL =
            ConfigOptions.key("hivestream.memory.ttl")
                    .durationType()
                    .defaultValue(Duration.ofHours(24))
                    .withDescription(
                            "A session's memory is dropped this long after its last turn.");

    public static final ConfigOption<Map<String, String>> TOOLS_ALLOWED =
            ConfigOptions.key("hivestream.tools.allowed")
                    .mapType()
                    .noDefaultValue()
                    .withDescription(
                            "Tools each tenant may use in ReAct steps, e.g. acme:calculator;json_path,globex:calculator. Unset: every tenant may use every tool; set: unlisted tenants may use none.");

    // The response cache (docs/caching.md).

    public static final ConfigOption<String> CACHE_DEFAULT =
            ConfigOptions.key("hivestream.cache.default")
                    .stringType()
                    .defaultValue("off")
                    .withDescription(
                            "Whether a task's answer may come from the response cache when neither the task (metadata cache) nor its tenant (hivestream.cache.tenants) says: exact (an earlier answer of the same agent to the same request, within the TTL), semantic (also an earlier answer to a request of the same class whose input means the same; needs hivestream.cache.semantic) or off. Session turns, votes and plans are never cached.");

    public static final ConfigOption<Map<String, String>> CACHE_TENANTS =
            ConfigOptions.key("hivestream.cache.tenants")
                    .mapType()
                    .noDefaultValue()
                    .withDescription(
                            "Each tenant's cache mode for its tasks that name none, e.g. acme:exact,beta:off; unlisted tenants get hivestream.cache.default.");

    public static final ConfigOption<Duration> CACHE_TTL =
            ConfigOptions.key("hivestream.cache.ttl")
                    .durationType()
                    .defaultValue(ExecuteSettings.DEFAULT_CACHE_TTL)
                    .withDescription(
                            "How long a cached answer is served after the call that gave it.");

    public static final ConfigOption<Integer> CACHE_MAX_ENTRIES =
            ConfigOptions.key("hivestream.cache.max-entries")
                    .intType()
                    .defaultValue(ExecuteSettings.DEFAULT_CACHE_MAX_ENTRIES)
                    .withDescription(
                            "Most answers each execute instance keeps in its cache, counted per TTL (up to twice as many for one TTL after a restore); beyond it answers are not kept. 0: none.");

    public static final ConfigOption<Boolean> CACHE_SEMANTIC =
            ConfigOptions.key("hivestream.cache.semantic")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Runs the semantic cache stage after analysis: tasks in semantic mode have their input embedded (MiniLM, a few ms of CPU each) and get an earlier answer of their class whose input means the same. Needs the call journal (hivestream.topics.calls). Off: tasks in semantic mode are served by the exact cache alone.");

    public static final ConfigOption<Double> CACHE_SEMANTIC_THRESHOLD =
            ConfigOptions.key("hivestream.cache.semantic-threshold")
                    .doubleType()
                    .defaultValue(0.9)
                    .withDescription(
                            "The least cosine similarity of two inputs' MiniLM embeddings for the semantic cache to give one's answer to the other; both must also name the same numbers, names and quoted text.");

    public static final ConfigOption<Integer> CACHE_SEMANTIC_PER_CLASS =
            ConfigOptions.key("hivestream.cache.semantic-per-class")
                    .intType()
                    .defaultValue(1_000)
                    .withDescription(
                            "Answers the semantic cache keeps per class (tenant, kind, capabilities, role, tier, labels), the newest; every instance of the stage keeps them all.");

    /** Which tasks the response cache serves, from these options. */

    /** The semantic cache's rules, from these options. */

    // Spend control: tenants, the admit stage and where a task's tenant comes from.

    public static final ConfigOption<String> TENANTS_TOPIC =
            ConfigOptions.key("hivestream.topics.tenants")
                    .stringType()
                    .defaultValue("hivestream.tenants")
                    .withDescription(
                            "Compacted topic of tenant records: budgets, quotas and rate limits.");

    public static final ConfigOption<Boolean> TENANTS_ENFORCE =
            ConfigOptions.key("hivestream.tenants.enforce")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Admit each task against its tenant's record (budgets, tokens, rate, maxInFlight, capabilities); a tenant without a record gets no task through. Off: no admit stage.");

    public static final ConfigOption<Duration> TENANTS_MAX_WAIT =
            ConfigOptions.key("hivestream.tenants.max-wait")
                    .durationType()
                    .defaultValue(AdmitFunction.DEFAULT_MAX_WAIT)
                    .withDescription(
                            "How long a task may wait for its tenant's rate, maxInFlight or record before it is REJECTED.");

    public static final ConfigOption<Integer> TENANTS_MAX_WAITING =
            ConfigOptions.key("hivestream.tenants.max-waiting")
                    .intType()
                    .defaultValue(AdmitFunction.DEFAULT_MAX_WAITING)
                    .withDescription(
                            "Tasks of one tenant that may wait at once; more are REJECTED at once.");

    public static final ConfigOption<TenantSource.Mode> TENANT_SOURCE =
            ConfigOptions.key("hivestream.tenants.source")
                    .enumType(TenantSource.Mode.class)
                    .defaultValue(TenantSource.Mode.BODY)
                    .withDescription(
                            "Where a task's tenant comes from: BODY (its field), TOPIC (read from TASKS.TENANT topics, subscribed by pattern; the tasks topic itself keeps the field) or HEADER (the record header hivestream.tenants.header); TOPIC and HEADER ignore the field.");

    public static final ConfigOption<String> TENANT_HEADER =
            ConfigOptions.key("hivestream.tenants.header")
                    .stringType()
                    .defaultValue("hivestream-tenant")
                    .withDescription(
                            "The record header that names a task's tenant when hivestream.tenants.source is HEADER.");

    /** Where the decode stage takes a task's tenant from. */

    /** The analyse stage's analyser from these options. */

    /** Who plans, how often a plan may re-plan, and the roles' system prompts. */

    /** The execute stage's settings from these options. */

    /** The tenants' tool allowlist from {@link #TOOLS_ALLOWED}. */
    public static final ConfigOption<Integer> MAX_REPLICAS =
            ConfigOptions.key("hivestream.validate.max-replicas")
                    .intType()
                    .defaultValue(15)
                    .withDescription("Largest replicas a task may ask for.");

    public static final ConfigOption<Integer> MAX_INPUT_CHARS =
            ConfigOptions.key("hivestream.validate.max-input-chars")
                    .intType()
                    .defaultValue(200_000)
                    .withDescription("Longest input a task may carry.");

    // Signed lineage (docs/lineage.md).

    public static final ConfigOption<Boolean> LINEAGE_ENABLED =
            ConfigOptions.key("hivestream.lineage.enabled")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Hash, chain (per tenant) and sign every result before it is written;"
                                    + " needs a signing key (key-file or key-env).");

    public static final ConfigOption<String> LINEAGE_KEY_FILE =
            ConfigOptions.key("hivestream.lineage.key-file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "PKCS#8 PEM file of the ML-DSA-65 or Ed25519 signing key, read where"
                                    + " the signing stage runs (`hivestream keys generate` writes one).");

    public static final ConfigOption<String> LINEAGE_KEY_ENV =
            ConfigOptions.key("hivestream.lineage.key-env")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Name of an environment variable that holds the signing key's PEM,"
                                    + " instead of a key file.");

    public static final ConfigOption<String> LINEAGE_KEY_ID =
            ConfigOptions.key("hivestream.lineage.key-id")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Id results name their key by; default: sha256: and the first 16 hex"
                                    + " digits of the SHA-256 of the public key (SPKI DER).");

    public static final ConfigOption<Integer> LINEAGE_BATCH_SIZE =
            ConfigOptions.key("hivestream.lineage.batch-size")
                    .intType()
                    .defaultValue(4096)
                    .withDescription(
                            "Most results one signature covers (carried by each tenant's last"
                                    + " result among them, the others covered through the chain);"
                                    + " a batch is also signed before every checkpoint barrier and,"
                                    + " with at-least-once delivery, after max-delay. 1: one"
                                    + " signature per result.");

    public static final ConfigOption<Duration> LINEAGE_MAX_DELAY =
            ConfigOptions.key("hivestream.lineage.max-delay")
                    .durationType()
                    .defaultValue(Duration.ofMillis(200))
                    .withDescription(
                            "Longest a result waits for its batch to be signed with at-least-once"
                                    + " delivery. Exactly-once results are signed at the next"
                                    + " checkpoint barrier (or when the batch is full): they become"
                                    + " visible at that checkpoint anyway.");

    /**
     * Every option, in the order the options table and the command line list them. A test holds it
     * equal to the options declared in this class.
     */
    public static List<ConfigOption<?>> all() {
        return List.of(
                BOOTSTRAP_SERVERS,
                TASKS_TOPIC,
                RESULTS_TOPIC,
                AGENTS_TOPIC,
                METRICS_TOPIC,
                DLQ_TOPIC,
                CALLS_TOPIC,
                EXAMPLES_TOPIC,
                MODELS_TOPIC,
                GROUP_ID,
                START_FROM,
                BOUNDED,
                RESULTS_FORMAT,
                RESULTS_DEDUPE_RETENTION,
                DELIVERY,
                TRANSACTIONAL_ID_PREFIX,
                TRANSACTION_TIMEOUT,
                KAFKA_COMPRESSION,
                KAFKA_ACCESS_CHECK_TIMEOUT,
                AGENT_WAIT,
                MAX_FALLBACKS,
                CASCADE_THRESHOLD,
                ANALYZER,
                UNCERTAIN_BAND,
                ANALYSE_MODEL,
                LIVE_MODELS,
                ROUTE_EXAMPLES,
                ROUTE_POLICY,
                ROUTE_PREFERENCE,
                ROUTE_TENANT_PREFERENCES,
                ROUTE_MIN_OBSERVATIONS,
                ROUTE_SEED,
                MISSED_HEARTBEATS,
                STATS_INTERVAL,
                CLOUD_THRESHOLD,
                AUTO_DECOMPOSE,
                DECOMPOSE_THRESHOLD,
                CONSENSUS_TIMEOUT,
                CONSENSUS_RETENTION,
                PLAN_TIMEOUT,
                PLAN_PLANNER,
                PLAN_MAX_REPLANS,
                PLAN_ROLE_PROMPTS,
                PLAN_MAX_SUBTASKS,
                EXECUTE_CAPACITY,
                ATTEMPTS_PER_AGENT,
                INITIAL_BACKOFF,
                MAX_BACKOFF,
                MAX_RETRY_AFTER,
                BREAKER_WINDOW,
                BREAKER_FAILURE_RATE,
                BREAKER_OPEN,
                MEMORY_TURNS,
                MEMORY_TURN_CHARS,
                SESSIONS_GAP_WAIT,
                MEMORY_TTL,
                TOOLS_ALLOWED,
                CACHE_DEFAULT,
                CACHE_TENANTS,
                CACHE_TTL,
                CACHE_MAX_ENTRIES,
                CACHE_SEMANTIC,
                CACHE_SEMANTIC_THRESHOLD,
                CACHE_SEMANTIC_PER_CLASS,
                TENANTS_TOPIC,
                TENANTS_ENFORCE,
                TENANTS_MAX_WAIT,
                TENANTS_MAX_WAITING,
                TENANT_SOURCE,
                TENANT_HEADER,
                MAX_REPLICAS,
                MAX_INPUT_CHARS,
                LINEAGE_ENABLED,
                LINEAGE_KEY_FILE,
                LINEAGE_KEY_ENV,
                LINEAGE_KEY_ID,
                LINEAGE_BATCH_SIZE,
                LINEAGE_MAX_DELAY);
    }
}
