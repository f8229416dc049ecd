package io.hivestream.operators.analyse;

import io.hivestream.schemas.Task;
import io.hivestream.schemas.internal.Analysis;
import java.io.Serializable;

/**
 * Decides a task's complexity, tier and strategy. Implementations are plain and thread-confined.
 */
public interface ComplexityAnalyzer extends Serializable {
    Analysis analyse(Task task);
}
