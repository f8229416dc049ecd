package io.hivestream.operators.analyse;

import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.operators.cache.CacheKeys;
import io.hivestream.operators.cache.CacheMode;
import io.hivestream.operators.cache.CachePolicy;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.internal.AnalyzedTask;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AnalyseFunctionTest {
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(7_000), ZoneOffset.UTC);

    @Test
    void aTaskTheCacheServesGetsItsCacheKey() {
        AnalyseFunction analyse =
                new AnalyseFunction(
                        new RuleBasedAnalyzer(),
                        CLOCK,
                        new CachePolicy(CacheMode.OFF, Map.of("acme", CacheMode.EXACT)));
        Task acme = task("t-1", "chat", "hello").setTenant("acme").build();
        Task beta = task("t-2", "chat", "hello").setTenant("beta").build();

        // Every other field at its schema's default, as a builder leaves it.
        assertThat(analyse.analyse(acme))
                .isEqualTo(
                        AnalyzedTask.newBuilder()
                                .setTask(acme)
                                .setAnalysis(new RuleBasedAnalyzer().analyse(acme))
                                .setAdmittedAt(7_000)
                                .setCacheKey(CacheKeys.of(acme))
                                .build());
        assertThat(analyse.analyse(acme).getCacheKey()).isEqualTo(CacheKeys.of(acme));
        assertThat(analyse.analyse(acme).getAdmittedAt()).isEqualTo(7_000);
        assertThat(analyse.analyse(beta).getCacheKey()).isNull();
    }

    @Test
    void withoutAPolicyOnlyTasksThatAskAreCached() {
        AnalyseFunction analyse = new AnalyseFunction(new RuleBasedAnalyzer(), CLOCK);
        Task asks = task("t-1", "chat", "hello").setMetadata(Map.of("cache", "exact")).build();

        assertThat(analyse.analyse(asks).getCacheKey()).isEqualTo(CacheKeys.of(asks));
        assertThat(analyse.analyse(task("t-2", "chat", "hello").build()).getCacheKey()).isNull();
    }
}
