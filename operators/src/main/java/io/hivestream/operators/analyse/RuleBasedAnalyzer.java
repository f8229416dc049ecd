package io.hivestream.operators.analyse;

import io.hivestream.schemas.Task;
import io.hivestream.schemas.internal.Analysis;
import java.util.regex.Pattern;

/**
 * A first, transparent analyser: a complexity score in [0, 1] from the length of the input, code,
 * questions and steps asked for, mapped to a tier and strategy by an {@link AnalysisPolicy}.
 */
public final class RuleBasedAnalyzer implements ComplexityAnalyzer {
    private static final long serialVersionUID = 1L;

    public static final double DEFAULT_CLOUD_THRESHOLD = AnalysisPolicy.DEFAULT_CLOUD_THRESHOLD;

    /** What results name as the model that scored a task: the formula has no version. */
    public static final String MODEL = "rules";

    private static final Pattern CODE =
            Pattern.compile(
                    "```|\\b(def|class|function|public|return|import)\\b|[{};]\\s*$",
                    Pattern.MULTILINE);
    private static final Pattern STEPS =
            Pattern.compile(
                    "\\b(then|after that|step|first|finally|and also)\\b",
                    Pattern.CASE_INSENSITIVE);

    private final AnalysisPolicy policy;

    public RuleBasedAnalyzer() {
        this(new AnalysisPolicy());
    }

    public RuleBasedAnalyzer(double cloudThreshold) {
        this(new AnalysisPolicy(cloudThreshold, false, AnalysisPolicy.DEFAULT_DECOMPOSE_THRESHOLD));
    }

    public RuleBasedAnalyzer(AnalysisPolicy policy) {
        this.policy = policy;
    }

    public double score(Task task) {
        String input = task.getInput();
        double length = Math.min(1.0, Math.log1p(input.length()) / Math.log1p(4000));
        double code = CODE.matcher(input).find() ? 1.0 : 0.0;
        long questions = input.chars().filter(c -> c == '?').count();
        double asks = Math.min(1.0, questions / 3.0);
        double steps = Math.min(1.0, STEPS.matcher(input).results().count() / 4.0);
        double score = 0.45 * length + 0.25 * code + 0.1 * asks + 0.2 * steps;
        return Math.max(0.0, Math.min(1.0, score));
    }

    @Override
    public Analysis analyse(Task task) {
        return policy.decide(task, score(task), MODEL);
    }
}
