package io.hivestream.operators.execute;

import io.hivestream.operators.route.SessionKeys;
import io.hivestream.schemas.internal.AgentView;
import io.hivestream.schemas.internal.CallReply;
import io.hivestream.schemas.internal.CallRequest;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.types.Either;

/**
 * An execute operator keyed as the job keys it, fed as the route stage feeds it: requests, and
 * agents' views between them.
 */
final class ExecuteHarness
        extends KeyedOneInputStreamOperatorTestHarness<
                String, Either<CallRequest, AgentView>, CallReply> {

    ExecuteHarness(ExecuteOperatorFactory factory) throws Exception {
        super(factory, SessionKeys::of, Types.STRING);
    }

    /** Instance {@code subtask} of {@code parallelism}. */
    ExecuteHarness(ExecuteOperatorFactory factory, int maxParallelism, int parallelism, int subtask)
            throws Exception {
        super(factory, SessionKeys::of, Types.STRING, maxParallelism, parallelism, subtask);
    }

    void processElement(CallRequest request, long timestamp) throws Exception {
        processElement(Either.Left(request), timestamp);
    }

    void processView(AgentView view) throws Exception {
        processElement(Either.Right(view), 0);
    }
}
