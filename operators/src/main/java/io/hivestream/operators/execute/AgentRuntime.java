package io.hivestream.operators.execute;

import java.util.concurrent.CompletableFuture;

/**
 * A way to call agents of one kind. {@link #call} must not block: it returns at once and completes
 * the future from the runtime's own I/O or timer threads. A failed future's exception says why.
 */
public interface AgentRuntime extends AutoCloseable {
    CompletableFuture<AgentReply> call(AgentCall call);

    @Override
    default void close() {}
}
