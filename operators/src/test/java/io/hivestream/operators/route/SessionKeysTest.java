package io.hivestream.operators.route;

import static io.hivestream.operators.testing.TestRecords.analyzed;
import static io.hivestream.operators.testing.TestRecords.request;
import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.internal.AnalyzedTask;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionKeysTest {
    @Test
    void aSessionATaskOrTheCacheKeyTheAnalyseStageSet() {
        AnalyzedTask alone = analyzed(task("t-1", "chat", "hi").setTenant("acme").build(), 1, 1);
        AnalyzedTask turn =
                analyzed(
                        task("t-2", "chat", "hi").setTenant("acme").setSessionId("s-1").build(),
                        1,
                        1);
        AnalyzedTask cached = AnalyzedTask.newBuilder(alone).setCacheKey("c/acme/abc").build();

        assertThat(SessionKeys.of(alone)).isEqualTo("t/t-1");
        assertThat(SessionKeys.of(turn)).isEqualTo("s/acme/s-1");
        assertThat(SessionKeys.session("acme", "s-1")).isEqualTo("s/acme/s-1");
        assertThat(SessionKeys.of(cached)).isEqualTo("c/acme/abc");
        assertThat(SessionKeys.of(request(cached, 0, List.of()))).isEqualTo("c/acme/abc");
    }
}
