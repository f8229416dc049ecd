package io.hivestream.operators.execute;

import io.hivestream.operators.consensus.TaskResults;
import io.hivestream.operators.route.Router;
import io.hivestream.schemas.internal.AgentView;
import io.hivestream.schemas.internal.CallReply;
import io.hivestream.schemas.internal.CallRequest;
import java.time.Clock;
import org.apache.flink.streaming.api.operators.AbstractStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.OneInputStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.types.Either;

/**
 * Creates {@link ExecuteOperator}s with the task's mailbox executor. Their input is the route
 * stage's: requests and agents' views ({@link io.hivestream.operators.route.RouteFunction#OUTPUT}).
 */
public final class ExecuteOperatorFactory extends AbstractStreamOperatorFactory<CallReply>
        implements OneInputStreamOperatorFactory<Either<CallRequest, AgentView>, CallReply> {
    private static final long serialVersionUID = 1L;

    private final AgentRuntimeFactory runtimes;
    private final ExecuteSettings settings;
    private final ExecuteOperator.ToolPolicy tools;
    private final Clock clock;
    private final Router router;
    private final CallJournal.Factory journals;
    private final PauseDetector.Source pauses;
    private TaskResults results;

    public ExecuteOperatorFactory(
            AgentRuntimeFactory runtimes,
            ExecuteSettings settings,
            ExecuteOperator.ToolPolicy tools,
            Clock clock) {
        this(runtimes, settings, tools, clock, new Router(), CallJournal.NONE);
    }

    public ExecuteOperatorFactory(
            AgentRuntimeFactory runtimes,
            ExecuteSettings settings,
            ExecuteOperator.ToolPolicy tools,
            Clock clock,
            Router router,
            CallJournal.Factory journals) {
        this(runtimes, settings, tools, clock, router, journals, PauseDetector.SHARED);
    }

    /**
     * @param pauses the detector of this JVM's pauses ({@link PauseDetector#SHARED} in the job)
     */
    public ExecuteOperatorFactory(
            AgentRuntimeFactory runtimes,
            ExecuteSettings settings,
            ExecuteOperator.ToolPolicy tools,
            Clock clock,
            Router router,
            CallJournal.Factory journals,
            PauseDetector.Source pauses) {
        this.pauses = pauses;
        this.router = router;
        this.journals = journals;
        this.runtimes = runtimes;
        this.settings = settings;
        this.tools = tools;
        this.clock = clock;
    }

    /**
     * The operators decide tasks with one replica themselves, with {@code results}, and send their
     * calls' metrics out on a side output: the stage's outputs are then its main output (the
     * replies of replicas of votes), {@link ExecuteOperator#DECIDED}, {@link
     * io.hivestream.operators.Outputs#METRICS} and {@link
     * io.hivestream.operators.consensus.ConsensusFunction#EXAMPLES}.
     */
    public ExecuteOperatorFactory decidingAlone(TaskResults results) {
        this.results = results;
        return this;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends StreamOperator<CallReply>> T createStreamOperator(
            StreamOperatorParameters<CallReply> parameters) {
        ExecuteOperator operator =
                new ExecuteOperator(
                        parameters, runtimes, settings, tools, clock, router, journals, pauses);
        operator.decideAlone(results);
        return (T) operator;
    }

    @Override
    public Class<? extends StreamOperator> getStreamOperatorClass(ClassLoader classLoader) {
        return ExecuteOperator.class;
    }
}
