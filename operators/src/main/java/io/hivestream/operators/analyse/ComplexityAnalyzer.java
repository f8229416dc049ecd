package io.hivestream.operators.analyse;

import io.hivestream.schemas.Task;
import io.hivestream.schemas.internal.Analysis;
import java.io.Serializable;

/**
 * Decides a task's complexity, tier and strategy. Implementations are plain and thread-confined;
 * those holding native resources (a model session) open them on first use and free them in {@link
 * #close()}.
 */
public interface ComplexityAnalyzer extends Serializable, AutoCloseable {
    Analysis analyse(Task task);

    /** Frees what the analyser opened; it may be used again afterwards, reopening it. */
    @Override
    default void close() {}
}
