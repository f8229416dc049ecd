package io.hivestream.jobs;

import static io.hivestream.jobs.HivestreamOptions.*;

import io.hivestream.connectors.analyse.EmbeddingComplexityAnalyzer;
import io.hivestream.connectors.analyse.OnnxComplexityAnalyzer;
import io.hivestream.connectors.analyse.OnnxLiveModels;
import io.hivestream.connectors.analyse.StaticEmbeddingComplexityAnalyzer;
import io.hivestream.connectors.analyse.TwoStageComplexityAnalyzer;
import io.hivestream.operators.analyse.AnalysisPolicy;
import io.hivestream.operators.analyse.ComplexityAnalyzer;
import io.hivestream.operators.analyse.RuleBasedAnalyzer;
import io.hivestream.operators.analyse.UncertainBand;
import io.hivestream.operators.cache.CachePolicy;
import io.hivestream.operators.cache.SemanticCache;
import io.hivestream.operators.decode.TenantSource;
import io.hivestream.operators.execute.ExecuteOperator;
import io.hivestream.operators.execute.ExecuteSettings;
import io.hivestream.operators.plan.PlanSettings;
import io.hivestream.operators.plan.RolePrompts;
import io.hivestream.operators.route.Router;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the job's options make of each stage: the settings, policies and components the pipeline is
 * built from, read from a configuration of {@link HivestreamOptions}. The options themselves are
 * only declarations; every rule for reading them is here.
 */
public final class StageSettings {
    private StageSettings() {}

    /**
     * The bootstrap servers and the {@value HivestreamOptions#KAFKA_PROPERTIES_PREFIX}* client
     * properties of {@code conf}.
     *
     * @throws IllegalArgumentException if the bootstrap servers are missing or a property is one
     *     the job sets itself
     */
    public static io.hivestream.connectors.kafka.KafkaConnection kafkaConnection(
            org.apache.flink.configuration.Configuration conf) {
        String bootstrap =
                conf.getOptional(BOOTSTRAP_SERVERS)
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                "set "
                                                        + BOOTSTRAP_SERVERS.key()
                                                        + " to the Kafka bootstrap servers"));
        Map<String, String> properties = new java.util.TreeMap<>();
        conf.toMap()
                .forEach(
                        (key, value) -> {
                            if (key.startsWith(KAFKA_PROPERTIES_PREFIX)) {
                                String name = key.substring(KAFKA_PROPERTIES_PREFIX.length());
                                if (KAFKA_SECRETS_FLINK_WOULD_SHOW.contains(name)
                                        && !value.contains("${")) {
                                    throw new IllegalArgumentException(
                                            key
                                                    + " holds a secret that Flink would show in its"
                                                    + " logs and REST API: reference it through a"
                                                    + " config provider instead, e.g. ${file:PATH:KEY}"
                                                    + " or ${env:NAME}");
                                }
                                properties.put(name, value);
                            }
                        });
        try {
            return io.hivestream.connectors.kafka.KafkaConnection.of(bootstrap, properties);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    e.getMessage() + " (under " + KAFKA_PROPERTIES_PREFIX + "*)", e);
        }
    }

    public static Router router(org.apache.flink.configuration.ReadableConfig conf) {
        Double preference = Router.parsePreference(conf.get(ROUTE_PREFERENCE));
        if (preference == null) {
            throw new IllegalArgumentException(
                    ROUTE_PREFERENCE.key()
                            + ": '"
                            + conf.get(ROUTE_PREFERENCE)
                            + "' is not quality, balanced, cost or a number in [0, 1]");
        }
        return new Router(
                conf.get(MAX_FALLBACKS),
                conf.get(ROUTE_POLICY),
                conf.get(ROUTE_MIN_OBSERVATIONS),
                preference,
                conf.get(ROUTE_TENANT_PREFERENCES));
    }

    public static CachePolicy cachePolicy(org.apache.flink.configuration.ReadableConfig conf) {
        return CachePolicy.parse(
                        CACHE_DEFAULT.key(),
                        conf.get(CACHE_DEFAULT),
                        CACHE_TENANTS.key(),
                        conf.getOptional(CACHE_TENANTS).orElse(Map.of()))
                .withSemantic(conf.get(CACHE_SEMANTIC));
    }

    public static SemanticCache semanticCache(org.apache.flink.configuration.ReadableConfig conf) {
        return new SemanticCache(
                conf.get(CACHE_SEMANTIC_THRESHOLD),
                conf.get(CACHE_TTL),
                conf.get(CACHE_SEMANTIC_PER_CLASS));
    }

    public static TenantSource tenantSource(org.apache.flink.configuration.ReadableConfig conf) {
        return new TenantSource(
                conf.get(TENANT_SOURCE), conf.get(TASKS_TOPIC), conf.get(TENANT_HEADER));
    }

    public static ComplexityAnalyzer complexityAnalyzer(
            org.apache.flink.configuration.ReadableConfig conf) {
        String model = conf.get(ANALYSE_MODEL);
        return complexityAnalyzer(
                ANALYZER.key(),
                conf.get(ANALYZER),
                model.isBlank() ? null : Path.of(model),
                UncertainBand.parse(UNCERTAIN_BAND.key(), conf.get(UNCERTAIN_BAND)),
                analysisPolicy(conf));
    }

    static AnalysisPolicy analysisPolicy(org.apache.flink.configuration.ReadableConfig conf) {
        return new AnalysisPolicy(
                conf.get(CLOUD_THRESHOLD), conf.get(AUTO_DECOMPOSE), conf.get(DECOMPOSE_THRESHOLD));
    }

    /**
     * The job's analyser with models replaceable from {@link HivestreamOptions#MODELS_TOPIC}.
     *
     * @throws IllegalArgumentException when the analyser has no model (rules)
     */
    public static OnnxLiveModels liveModels(org.apache.flink.configuration.ReadableConfig conf) {
        if (Analyzer.of(ANALYZER.key(), conf.get(ANALYZER)) == Analyzer.RULES) {
            throw new IllegalArgumentException(
                    LIVE_MODELS.key()
                            + " replaces the models of the onnx, onnx-embedding, onnx-static and"
                            + " two-stage analysers, and "
                            + ANALYZER.key()
                            + " is rules, which has none: choose one of those analysers or turn"
                            + " live models off");
        }
        return OnnxLiveModels.of(complexityAnalyzer(conf), analysisPolicy(conf));
    }

    /**
     * The analyser of one of the names {@link HivestreamOptions#ANALYZER} takes.
     *
     * @param setting what named it, for the error message
     * @param model the ONNX model's file; null: the one shipped for that analyser
     * @param band the feature scores the embedding model decides, for two-stage
     * @throws IllegalArgumentException for another name, or a model of another analyser
     */
    public static ComplexityAnalyzer complexityAnalyzer(
            String setting,
            String analyzer,
            Path model,
            UncertainBand band,
            AnalysisPolicy policy) {
        return switch (Analyzer.of(setting, analyzer)) {
            case RULES -> new RuleBasedAnalyzer(policy);
            case TWO_STAGE -> {
                if (model != null) {
                    throw new IllegalArgumentException(
                            "the two-stage analyser runs the shipped feature and embedding models;"
                                    + " a model file ("
                                    + model
                                    + ") is for onnx or onnx-embedding");
                }
                yield TwoStageComplexityAnalyzer.shipped(band, policy);
            }
            case ONNX ->
                    model == null
                            ? OnnxComplexityAnalyzer.shipped(policy)
                            : OnnxComplexityAnalyzer.fromFile(model, policy);
            case ONNX_EMBEDDING ->
                    model == null
                            ? EmbeddingComplexityAnalyzer.shipped(policy)
                            : EmbeddingComplexityAnalyzer.fromFile(model, policy);
            case ONNX_STATIC ->
                    model == null
                            ? StaticEmbeddingComplexityAnalyzer.shipped(policy)
                            : StaticEmbeddingComplexityAnalyzer.fromFile(model, policy);
        };
    }

    public static PlanSettings planSettings(org.apache.flink.configuration.ReadableConfig conf) {
        String file = conf.get(PLAN_ROLE_PROMPTS);
        return new PlanSettings(
                PlanSettings.Mode.parse(PLAN_PLANNER.key(), conf.get(PLAN_PLANNER)),
                conf.get(PLAN_MAX_REPLANS),
                RolePrompts.of(file == null || file.isBlank() ? null : Path.of(file)),
                conf.get(MAX_INPUT_CHARS));
    }

    public static ExecuteSettings executeSettings(
            org.apache.flink.configuration.ReadableConfig conf) {
        return ExecuteSettings.builder()
                .capacity(conf.get(EXECUTE_CAPACITY))
                .attemptsPerAgent(conf.get(ATTEMPTS_PER_AGENT))
                .backoff(conf.get(INITIAL_BACKOFF), conf.get(MAX_BACKOFF))
                .maxRetryAfter(conf.get(MAX_RETRY_AFTER))
                .breaker(
                        conf.get(BREAKER_FAILURE_RATE).floatValue(),
                        conf.get(BREAKER_WINDOW),
                        conf.get(BREAKER_OPEN))
                .memory(conf.get(MEMORY_TURNS), conf.get(MEMORY_TURN_CHARS), conf.get(MEMORY_TTL))
                .agentWait(conf.get(AGENT_WAIT))
                .seed(conf.get(ROUTE_SEED))
                .cache(conf.get(CACHE_TTL), conf.get(CACHE_MAX_ENTRIES))
                .build();
    }

    public static ExecuteOperator.ToolPolicy toolPolicy(
            org.apache.flink.configuration.ReadableConfig conf) {
        java.util.Optional<Map<String, String>> allowed = conf.getOptional(TOOLS_ALLOWED);
        if (allowed.isEmpty()) {
            return ExecuteOperator.ToolPolicy.allowAll();
        }
        Map<String, List<String>> byTenant = new java.util.HashMap<>();
        allowed.get()
                .forEach(
                        (tenant, tools) ->
                                byTenant.put(
                                        tenant,
                                        java.util.Arrays.stream(tools.split(";"))
                                                .map(String::strip)
                                                .filter(t -> !t.isEmpty())
                                                .toList()));
        return tenant -> byTenant.getOrDefault(tenant, List.of());
    }
}
