package io.hivestream.operators.plan;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PlansTest {

    @Test
    void aTextWithinTheLimitIsKeptAndALongerOneIsCutWithANote() {
        assertThat(Plans.fit("short", 100)).isEqualTo("short");
        String long150 = "x".repeat(150);

        String fitted = Plans.fit(long150, 100);

        assertThat(fitted).isEqualTo("x".repeat(60) + " … [90 more characters cut]");
        assertThat(fitted.length()).isLessThanOrEqualTo(100);
    }
}
