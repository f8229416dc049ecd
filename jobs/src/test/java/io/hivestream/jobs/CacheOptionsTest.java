package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hivestream.operators.cache.CacheMode;
import io.hivestream.operators.execute.ExecuteSettings;
import io.hivestream.schemas.Task;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class CacheOptionsTest {
    private static Task task(String tenant) {
        return Task.newBuilder().setTaskId("t").setTenant(tenant).setInput("hi").build();
    }

    @Test
    void theDefaultIsOffAndTheTenantsChooseTheirOwn() {
        assertThat(StageSettings.cachePolicy(new Configuration()).mode(task("acme")))
                .isEqualTo(CacheMode.OFF);

        Configuration conf = new Configuration();
        conf.setString("hivestream.cache.default", "exact");
        conf.setString("hivestream.cache.tenants", "beta:off,acme:EXACT");
        var policy = StageSettings.cachePolicy(conf);

        assertThat(policy.mode(task("acme"))).isEqualTo(CacheMode.EXACT);
        assertThat(policy.mode(task("beta"))).isEqualTo(CacheMode.OFF);
        assertThat(policy.mode(task("gamma"))).isEqualTo(CacheMode.EXACT);
    }

    @Test
    void aValueThatNamesNoModeStopsTheJobWithTheAllowedValues() {
        Configuration conf = new Configuration();
        conf.setString("hivestream.cache.default", "similar");
        assertThatThrownBy(() -> StageSettings.cachePolicy(conf))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "hivestream.cache.default is 'similar'; must be exact, semantic or off");

        Configuration tenants = new Configuration();
        tenants.setString("hivestream.cache.tenants", "acme:yes");
        assertThatThrownBy(() -> StageSettings.cachePolicy(tenants))
                .hasMessage(
                        "hivestream.cache.tenants for tenant acme is 'yes'; must be exact, semantic"
                                + " or off");
    }

    @Test
    void theTtlAndTheBoundReachTheExecuteStage() {
        assertThat(StageSettings.executeSettings(new Configuration()).cacheTtl())
                .isEqualTo(Duration.ofHours(1));
        assertThat(StageSettings.executeSettings(new Configuration()).cacheMaxEntries())
                .isEqualTo(100_000);

        Configuration conf = new Configuration();
        conf.setString("hivestream.cache.ttl", "10 min");
        conf.setString("hivestream.cache.max-entries", "0");
        ExecuteSettings settings = StageSettings.executeSettings(conf);

        assertThat(settings.cacheTtl()).isEqualTo(Duration.ofMinutes(10));
        assertThat(settings.cacheMaxEntries()).isEqualTo(0);
    }
}
