package io.hivestream.loadtests;

import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.operators.execute.AgentCall;
import io.hivestream.operators.execute.AgentReply;
import io.hivestream.operators.execute.AgentRuntime;
import io.hivestream.operators.execute.AgentRuntimeFactory;
import io.hivestream.operators.execute.ExecuteOperator;
import io.hivestream.operators.execute.ExecuteOperatorFactory;
import io.hivestream.operators.execute.ExecuteSettings;
import io.hivestream.operators.route.RouteFunction;
import io.hivestream.operators.route.SessionKeys;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.AgentView;
import io.hivestream.schemas.internal.Analysis;
import io.hivestream.schemas.internal.AnalyzedTask;
import io.hivestream.schemas.internal.CallReply;
import io.hivestream.schemas.internal.CallRequest;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;

/**
 * The execute stage alone at scale: simulated agents that answer after a fixed latency, one session
 * per call, on a Flink local cluster. Reports the throughput reached against the limit Little's law
 * gives (parallelism × capacity ÷ latency), the calls in flight, and CPU-seconds per 1,000 calls.
 *
 * <p>Usage: {@code ExecuteBenchmark [calls] [parallelism] [capacity] [latencyMs]}.
 */
public final class ExecuteBenchmark {
    static final AtomicLong COMPLETED = new AtomicLong();
    static final AtomicInteger IN_FLIGHT = new AtomicInteger();

    private ExecuteBenchmark() {}

    /** Simulated agents whose calls are counted while in flight. */
    static final class CountingRuntimes implements AgentRuntimeFactory {
        private static final long serialVersionUID = 1L;
        private final AgentRuntimes delegate = new AgentRuntimes();

        @Override
        public AgentRuntime create(AgentEvent agent) {
            AgentRuntime runtime = delegate.create(agent);
            return new AgentRuntime() {
                @Override
                public CompletableFuture<AgentReply> call(AgentCall call) {
                    IN_FLIGHT.incrementAndGet();
                    return runtime.call(call).whenComplete((r, e) -> IN_FLIGHT.decrementAndGet());
                }
            };
        }
    }

    /** Counts replies; nothing is written anywhere. */
    static final class CountingSink implements Sink<CallReply> {
        private static final long serialVersionUID = 1L;

        @Override
        public SinkWriter<CallReply> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(CallReply reply, Context context) {
                    COMPLETED.incrementAndGet();
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }

    public static void main(String[] args) throws Exception {
        long calls = args.length > 0 ? Long.parseLong(args[0]) : 200_000;
        int parallelism = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int capacity = args.length > 2 ? Integer.parseInt(args[2]) : 6_000;
        long latencyMs = args.length > 3 ? Long.parseLong(args[3]) : 1_000;
        double limit = parallelism * (double) capacity / (latencyMs / 1000.0);

        AgentEvent agent =
                AgentEvent.newBuilder()
                        .setAgentId("sim")
                        .setRuntime("simulated")
                        .setCapabilities(List.of("chat"))
                        .setTimeoutMs(60_000)
                        .setParams(Map.of("latencyMs", Long.toString(latencyMs)))
                        .build();
        Analysis analysis =
                Analysis.newBuilder()
                        .setComplexity(0.1)
                        .setTier(Tier.EDGE)
                        .setStrategy(Strategy.DIRECT)
                        .setReplicas(1)
                        .setQuorum(1)
                        .setCapabilities(List.of("chat"))
                        .build();

        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
        env.fromSequence(0, calls - 1)
                .map(
                        i -> {
                            Task task =
                                    Task.newBuilder()
                                            .setTaskId("b-" + i)
                                            .setInput("benchmark call " + i)
                                            .build();
                            AnalyzedTask analysed =
                                    AnalyzedTask.newBuilder()
                                            .setTask(task)
                                            .setAnalysis(analysis)
                                            .setAdmittedAt(0)
                                            .build();
                            return Either.<CallRequest, AgentView>Left(
                                    CallRequest.newBuilder()
                                            .setTask(analysed)
                                            .setReplica(0)
                                            .setChain(List.of(agent))
                                            .build());
                        },
                        RouteFunction.OUTPUT)
                .name("requests")
                .keyBy(
                        (KeySelector<Either<CallRequest, AgentView>, String>) SessionKeys::of,
                        Types.STRING)
                .transform(
                        "execute",
                        new AvroTypeInfo<>(CallReply.class),
                        new ExecuteOperatorFactory(
                                new CountingRuntimes(),
                                ExecuteSettings.builder()
                                        .capacity(capacity)
                                        .memory(0, 1, java.time.Duration.ofMinutes(1))
                                        .build(),
                                ExecuteOperator.ToolPolicy.allowAll(),
                                Clock.systemUTC()))
                .sinkTo(new CountingSink())
                .name("count");

        var os =
                (com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean();
        List<long[]> samples = new ArrayList<>();
        int[] peak = {0};
        Thread sampler =
                new Thread(
                        () -> {
                            while (!Thread.currentThread().isInterrupted()) {
                                synchronized (samples) {
                                    samples.add(
                                            new long[] {
                                                System.nanoTime(),
                                                COMPLETED.get(),
                                                os.getProcessCpuTime()
                                            });
                                }
                                peak[0] = Math.max(peak[0], IN_FLIGHT.get());
                                try {
                                    Thread.sleep(100);
                                } catch (InterruptedException e) {
                                    return;
                                }
                            }
                        });
        sampler.setDaemon(true);
        sampler.start();
        env.execute("execute-benchmark");
        sampler.interrupt();
        sampler.join();

        // The steady state: between 10% and 90% of the calls completed.
        long[] from = null;
        long[] to = null;
        synchronized (samples) {
            for (long[] s : samples) {
                if (from == null && s[1] >= calls / 10) {
                    from = s;
                }
                if (to == null && s[1] >= calls * 9 / 10) {
                    to = s;
                }
            }
        }
        if (from == null || to == null || to == from) {
            throw new IllegalStateException("too few samples; run more calls");
        }
        double seconds = (to[0] - from[0]) / 1e9;
        double throughput = (to[1] - from[1]) / seconds;
        double cpuPer1000 = (to[2] - from[2]) / 1e9 / (to[1] - from[1]) * 1000;
        System.out.printf(
                Locale.ROOT,
                "calls=%d parallelism=%d capacity=%d latency_ms=%d%n",
                calls,
                parallelism,
                capacity,
                latencyMs);
        System.out.printf(Locale.ROOT, "peak calls in flight: %d%n", peak[0]);
        System.out.printf(
                Locale.ROOT,
                "throughput (10%%-90%% of calls): %.0f calls/s; Little's-law limit %.0f calls/s%n",
                throughput,
                limit);
        System.out.printf(
                Locale.ROOT,
                "CPU-seconds per 1,000 calls: %.3f (process, %d cores)%n",
                cpuPer1000,
                Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "ratio throughput/limit: %.2f%n", throughput / limit);
    }
}
