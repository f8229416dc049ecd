package io.hivestream.operators.cache;

import static io.hivestream.operators.testing.TestRecords.analysis;
import static io.hivestream.operators.testing.TestRecords.analyzed;
import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.Analysis;
import io.hivestream.schemas.internal.AnalyzedTask;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CachePolicyTest {
    private static final CachePolicy POLICY =
            CachePolicy.parse(
                    "hivestream.cache.default",
                    "off",
                    "hivestream.cache.tenants",
                    Map.of("acme", "exact", "beta", "OFF"));

    private static Task.Builder of(String tenant, Map<String, String> metadata) {
        return task("t-1", "chat", "hello").setTenant(tenant).setMetadata(metadata);
    }

    @Test
    void theTaskChoosesThenItsTenantThenTheDefault() {
        assertThat(POLICY.mode(of("acme", Map.of()).build())).isEqualTo(CacheMode.EXACT);
        assertThat(POLICY.mode(of("acme", Map.of("cache", "off")).build()))
                .isEqualTo(CacheMode.OFF);
        assertThat(POLICY.mode(of("beta", Map.of()).build())).isEqualTo(CacheMode.OFF);
        assertThat(POLICY.mode(of("beta", Map.of("cache", "exact")).build()))
                .isEqualTo(CacheMode.EXACT);
        assertThat(POLICY.mode(of("gamma", Map.of()).build())).isEqualTo(CacheMode.OFF);
        assertThat(POLICY.mode(of("gamma", Map.of("cache", "Exact")).build()))
                .isEqualTo(CacheMode.EXACT);
        CachePolicy exact = CachePolicy.parse("d", "exact", "t", Map.of("beta", "off"));
        assertThat(exact.mode(of("gamma", Map.of()).build())).isEqualTo(CacheMode.EXACT);
        assertThat(exact.mode(of("beta", Map.of()).build())).isEqualTo(CacheMode.OFF);
    }

    @Test
    void aCacheableTaskGetsItsCacheKey() {
        AnalyzedTask task = analyzed(of("acme", Map.of()).build(), 1, 1);

        assertThat(POLICY.key(task)).isEqualTo(CacheKeys.of(task.getTask()));
        assertThat(POLICY.key(analyzed(of("gamma", Map.of()).build(), 1, 1))).isNull();
    }

    @Test
    void aSemanticTaskHasItsExactKeyAndItsClassWhenTheJobRunsTheSemanticStage() {
        AnalyzedTask task = analyzed(of("acme", Map.of("cache", "semantic")).build(), 1, 1);
        CachePolicy semantic = POLICY.withSemantic(true);

        assertThat(semantic.key(task)).isEqualTo(CacheKeys.of(task.getTask()));
        assertThat(semantic.semanticClass(task)).isEqualTo(CacheKeys.classOf(task.getTask()));
        // Without the stage it is served by the exact cache alone.
        assertThat(POLICY.key(task)).isEqualTo(CacheKeys.of(task.getTask()));
        assertThat(POLICY.semanticClass(task)).isNull();
        // An exact task has no class; a vote none either.
        assertThat(semantic.semanticClass(analyzed(of("acme", Map.of()).build(), 1, 1))).isNull();
        assertThat(
                        semantic.semanticClass(
                                analyzed(
                                        of("acme", Map.of("cache", "semantic"))
                                                .setReplicas(3)
                                                .build(),
                                        3,
                                        2)))
                .isNull();
    }

    @Test
    void neitherSessionsNorVotesNorPlansNorTheirSubtasksAreCached() {
        assertThat(POLICY.key(analyzed(of("acme", Map.of()).setSessionId("s-1").build(), 1, 1)))
                .isNull();
        assertThat(POLICY.key(analyzed(of("acme", Map.of()).setReplicas(3).build(), 3, 2)))
                .isNull();
        Analysis plan =
                Analysis.newBuilder(analysis(Tier.CLOUD, 1, 1, List.of("chat")))
                        .setStrategy(Strategy.DECOMPOSE)
                        .build();
        assertThat(POLICY.key(analyzed(of("acme", Map.of()).build(), plan))).isNull();
        // Nor a plan's subtasks: they run under their own keys, where cancellations find them.
        assertThat(POLICY.key(analyzed(of("acme", Map.of()).setRootId("r").build(), 1, 1)))
                .isNull();
    }

    @Test
    void anOptionThatNamesNoModeIsRefused() {
        assertThatThrownBy(
                        () ->
                                CachePolicy.parse(
                                        "hivestream.cache.default",
                                        "exact",
                                        "hivestream.cache.tenants",
                                        Map.of("acme", "similar")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "hivestream.cache.tenants for tenant acme is 'similar'; must be exact,"
                                + " semantic or off");
    }
}
