package io.hivestream.loadtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BenchArgsTest {
    @Test
    void takesOptionsFlagsAndConfSettings() {
        BenchArgs args =
                BenchArgs.parse(
                        new String[] {
                            "pipeline", "--tasks", "5", "--jfr", "--conf", "a.b = 1", "--out", "d"
                        },
                        1,
                        Set.of("--jfr", "--tenants"),
                        true,
                        null);

        assertThat(args.take("tasks", "9")).isEqualTo("5");
        assertThat(args.take("tasks", "9")).isEqualTo("9");
        assertThat(args.take("seed", "42")).isEqualTo("42");
        assertThat(args.path("out")).isEqualTo(Path.of("d"));
        assertThat(args.path("out")).isNull();
        assertThat(args.flag("--jfr")).isTrue();
        assertThat(args.flag("--tenants")).isFalse();
        assertThat(args.conf()).isEqualTo(Map.of("a.b", "1"));
        args.done();
    }

    @Test
    void rejectsWhatItDoesNotKnow() {
        assertThatThrownBy(
                        () ->
                                BenchArgs.parse(
                                        new String[] {"--jfr"},
                                        0,
                                        Set.of(),
                                        false,
                                        "bench x [--n N]"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unexpected argument '--jfr'; usage: bench x [--n N]");
        assertThatThrownBy(
                        () ->
                                BenchArgs.parse(
                                        new String[] {"--conf", "x"}, 0, Set.of(), true, null))
                .hasMessage("--conf takes KEY=VALUE, got 'x'");
        BenchArgs args =
                BenchArgs.parse(new String[] {"--n", "1", "--typo", "2"}, 0, Set.of(), false, null);
        args.take("n", "3");
        assertThatThrownBy(args::done).hasMessage("unknown options [typo]");
    }
}
