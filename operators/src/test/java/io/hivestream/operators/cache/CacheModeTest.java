package io.hivestream.operators.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CacheModeTest {
    @Test
    void exactSemanticAndOffAreTheModesInAnyCase() {
        assertThat(CacheMode.parse("s", "exact")).isEqualTo(CacheMode.EXACT);
        assertThat(CacheMode.parse("s", "Semantic")).isEqualTo(CacheMode.SEMANTIC);
        assertThat(CacheMode.parse("s", " EXACT ")).isEqualTo(CacheMode.EXACT);
        assertThat(CacheMode.parse("s", "Off")).isEqualTo(CacheMode.OFF);
    }

    @Test
    void anythingElseIsRefusedWithTheAllowedValues() {
        assertThatThrownBy(() -> CacheMode.parse("hivestream.cache.default", "on"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("hivestream.cache.default is 'on'; must be exact, semantic or off");
    }

    @Test
    void aTaskMetadataEntryIsCheckedLikeAnOption() {
        assertThat(CacheMode.problems(Map.of())).isEmpty();
        assertThat(CacheMode.problems(Map.of("cache", "exact"))).isEmpty();
        assertThat(CacheMode.problems(Map.of("cache", "off"))).isEmpty();
        assertThat(CacheMode.problems(Map.of("cache", "semantic"))).isEmpty();
        assertThat(CacheMode.problems(Map.of("cache", "yes")))
                .containsExactly("cache is 'yes'; must be exact, semantic or off");
    }
}
