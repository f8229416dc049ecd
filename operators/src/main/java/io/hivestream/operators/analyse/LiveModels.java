package io.hivestream.operators.analyse;

import io.hivestream.schemas.RouterModel;
import java.io.Serializable;
import java.util.Map;

/**
 * The complexity models of a job that takes new ones while it runs: records of the models topic
 * ({@link RouterModel}, keyed by the analyser whose model they replace) are checked here before the
 * analyse stage uses them, and the analyser is built from the latest accepted ones. A slot without
 * a record keeps the model the job was started with.
 */
public interface LiveModels extends Serializable {
    /**
     * Checks that the job can use {@code model}: it is for one of the analyser's slots, its bytes
     * are whole, and the model loads and reads this build's inputs.
     *
     * @throws IllegalArgumentException saying why not, in a sentence
     */
    void check(RouterModel model);

    /**
     * The analyser with {@code models} (by {@link RouterModel#getAnalyzer()}, each checked) in
     * place of the models the job was started with; no records: the job's own analyser.
     */
    ComplexityAnalyzer analyzer(Map<String, RouterModel> models);
}
