package io.hivestream.loadtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class ThreadCpuTest {
    @Test
    void theRestKeepsOnlyWhatAnEndedThreadSpentInTheWindow() {
        // Thread 2 ended between the snapshots after 3 s more. In the window the process spent
        // 2 + 3 + 0.5 + 1 s: thread 1, thread 2, RocksDB's thread and the JVM's own threads.
        Map<Long, ThreadCpu.Time> before =
                Map.of(
                        1L,
                        new ThreadCpu.Time("execute", 1_000_000_000L),
                        2L,
                        new ThreadCpu.Time("passthrough", 10_000_000_000L),
                        -7L,
                        new ThreadCpu.Time("rocksdb:low", 0L),
                        Long.MIN_VALUE,
                        new ThreadCpu.Time(ThreadCpu.REST, 5_000_000_000L));
        // The process: 16 s before, 22.5 s after; the rest after = 22.5 - 3 - 0.5 = 19 s.
        Map<Long, ThreadCpu.Time> after =
                Map.of(
                        1L,
                        new ThreadCpu.Time("execute", 3_000_000_000L),
                        -7L,
                        new ThreadCpu.Time("rocksdb:low", 500_000_000L),
                        Long.MIN_VALUE,
                        new ThreadCpu.Time(ThreadCpu.REST, 19_000_000_000L));

        assertThat(ThreadCpu.per1k(before, after, 1_000))
                .containsExactly(
                        Map.entry(ThreadCpu.REST, 4.0),
                        Map.entry("execute", 2.0),
                        Map.entry("rocksdb:low", 0.5));
    }

    @Test
    void rocksDbBackgroundThreadsAndTheRestOfTheProcessAreKindsOfTheirOwn(@TempDir Path dir)
            throws Exception {
        assumeTrue(
                Files.isDirectory(Path.of("/proc/self/task")),
                "threads outside Java are read from Linux's /proc, which this system lacks");
        RocksDB.loadLibrary();
        try (Options options = new Options().setCreateIfMissing(true);
                RocksDB db = RocksDB.open(options, dir.toString());
                FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            db.put(
                    "key".getBytes(StandardCharsets.UTF_8),
                    "value".getBytes(StandardCharsets.UTF_8));
            db.flush(flush); // a flush runs on RocksDB's high-priority background thread

            Map<Long, ThreadCpu.Time> cpu = ThreadCpu.snapshot();

            Set<String> kinds =
                    cpu.values().stream().map(ThreadCpu.Time::kind).collect(Collectors.toSet());
            // The JIT compilers run from the JVM's start, whatever its collector.
            assertThat(kinds).contains("rocksdb:high", ThreadCpu.COMPILER, ThreadCpu.REST);
            // Native threads are keyed by their negated Linux thread id, apart from Java's ids.
            assertThat(cpu.entrySet())
                    .filteredOn(
                            e ->
                                    e.getValue().kind().startsWith("rocksdb")
                                            || e.getValue().kind().equals(ThreadCpu.COMPILER))
                    .allSatisfy(e -> assertThat(e.getKey()).isNegative());
            assertThat(cpu.get(Long.MIN_VALUE).kind()).isEqualTo(ThreadCpu.REST);
            assertThat(cpu.get(Long.MIN_VALUE).nanos()).isNotNegative();
        }
    }

    @Test
    void threadsNoJavaApiListsAreKnownByTheirLinuxNames() {
        assertThat(ThreadCpu.hiddenKind("rocksdb:low")).isEqualTo("rocksdb:low");
        assertThat(ThreadCpu.hiddenKind("C2 CompilerThre")).isEqualTo(ThreadCpu.COMPILER);
        assertThat(ThreadCpu.hiddenKind("C1 CompilerThre")).isEqualTo(ThreadCpu.COMPILER);
        assertThat(ThreadCpu.hiddenKind("GC Thread#1")).isEqualTo(ThreadCpu.COLLECTOR);
        assertThat(ThreadCpu.hiddenKind("G1 Conc#0")).isEqualTo(ThreadCpu.COLLECTOR);
        assertThat(ThreadCpu.hiddenKind("G1 Refine#0")).isEqualTo(ThreadCpu.COLLECTOR);
        // Java threads are listed by Java under their full names; these stay in the rest.
        assertThat(ThreadCpu.hiddenKind("VM Thread")).isNull();
        assertThat(ThreadCpu.hiddenKind("route -> execut")).isNull();
    }
}
