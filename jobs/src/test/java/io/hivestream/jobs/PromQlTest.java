package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The metric names {@link PromQl} reads out of PromQL expressions. */
class PromQlTest {
    @Test
    void aSelectorInsideFunctionsAndAggregationsIsItsMetricName() {
        assertThat(PromQl.metricNames("sum(rate(flink_a_results[1m]))"))
                .containsExactly("flink_a_results");
        assertThat(PromQl.metricNames("max(flink_latency{quantile=\"0.99\", job=~\"x|sum\"})"))
                .containsExactly("flink_latency");
    }

    @Test
    void numbersKeywordsGroupingLabelsAndStringsAreNoMetricNames() {
        assertThat(
                        PromQl.metricNames(
                                "sum by (agent, le) (rate(cost_total[5m] offset 1h)) * 3600 / 1e6"
                                        + " > bool 0 and on (agent) group_left(tier) up"
                                        + " or label_replace(tokens, \"dst\", \"$1\", \"src\","
                                        + " \"(.*)\") unless vector(Inf)"))
                .containsExactly("cost_total", "tokens", "up");
        assertThat(PromQl.metricNames("sum(a) without (instance) / ignoring (x) sum(b)"))
                .containsExactly("a", "b");
    }

    @Test
    void aNameMatcherNamesItsMetric() {
        assertThat(PromQl.metricNames("count({__name__=\"flink_calls\", agent!=\"x\"})"))
                .containsExactly("flink_calls");
    }

    @Test
    void subqueriesAndColonsInRecordingRuleNames() {
        assertThat(PromQl.metricNames("max_over_time(job:calls:rate5m[1h:1m])"))
                .containsExactly("job:calls:rate5m");
    }
}
