package io.hivestream.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hivestream.connectors.analyse.LabelledPrompt;
import io.hivestream.connectors.analyse.OnnxComplexityAnalyzer;
import io.hivestream.connectors.analyse.TwoStageComplexityAnalyzer;
import io.hivestream.jobs.StageSettings;
import io.hivestream.operators.analyse.AnalysisPolicy;
import io.hivestream.operators.analyse.ComplexityAnalyzer;
import io.hivestream.operators.analyse.TaskFeatures;
import io.hivestream.operators.analyse.UncertainBand;
import io.hivestream.operators.decode.RawDecoder;
import io.hivestream.operators.decode.TaskValidator;
import io.hivestream.operators.route.Router;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.AgentEventType;
import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.Analysis;
import io.hivestream.schemas.internal.AnalyzedTask;
import io.hivestream.schemas.internal.RawRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** A dry run of the analyse and route stages over JSON-lines tasks: no agent is called. */
@Command(
        name = "analyze",
        mixinStandardHelpOptions = true,
        description = {
            "Shows how the job would analyse and route tasks, without calling any agent.",
            "Reads tasks, one JSON object per line, and prints per task the complexity score, tier,",
            "strategy and the agents the router would choose from a registry; then a summary (share",
            "per tier, expected cost). A bad line is reported with its number, the others are still",
            "analysed, and the exit code is 1. With --labelled, the lines are labelled prompts as in",
            "data/router (input, kind, capabilities, label EDGE or CLOUD) and the summary ends with",
            "the analyser's accuracy."
        })
final class AnalyzeCommand implements Callable<Integer> {
    @Parameters(
            index = "0",
            arity = "0..1",
            defaultValue = "-",
            description = "JSON-lines file of tasks, or - for standard input (default).")
    String file;

    @Option(names = "--json", description = "One JSON object per task instead of text.")
    boolean json;

    @Option(
            names = "--labelled",
            description =
                    "Lines are labelled prompts (input, kind, capabilities, label, source as in"
                            + " data/router/*.jsonl); prints each task's label and the accuracy.")
    boolean labelled;

    @Option(
            names = "--agents",
            description =
                    "Agent records as ./hivestream agents register takes them (JSON lines or an array); default: the demo's agents.")
    Path agents;

    @Option(
            names = "--analyzer",
            defaultValue = "onnx-static",
            description =
                    "onnx-static (the model over the input's static MiniLM embedding and the features, the job's default), onnx (the feature model), two-stage (the feature model, and inside --uncertain-band the embedding model), onnx-embedding (the model over the input's MiniLM embedding and the features) or rules (default: ${DEFAULT-VALUE}).")
    String analyzer;

    @Option(
            names = "--uncertain-band",
            defaultValue = UncertainBand.DEFAULT_TEXT,
            description =
                    "For two-stage: the feature model's scores LOWER,UPPER that the embedding model decides (default: ${DEFAULT-VALUE}).")
    String band;

    @Option(
            names = "--model",
            description =
                    "ONNX file of the complexity model; default: the model shipped for the analyser.")
    Path model;

    @Option(
            names = "--cloud-threshold",
            defaultValue = "" + OnnxComplexityAnalyzer.DEFAULT_CLOUD_THRESHOLD,
            description =
                    "Score from which a task prefers the CLOUD tier (default: ${DEFAULT-VALUE}).")
    double cloudThreshold;

    @Option(
            names = "--auto-decompose",
            description =
                    "Decompose very complex multi-step tasks, as hivestream.analyse.auto-decompose.")
    boolean autoDecompose;

    @Option(
            names = "--max-fallbacks",
            defaultValue = "" + Router.DEFAULT_MAX_FALLBACKS,
            description = "Fallback agents per replica (default: ${DEFAULT-VALUE}).")
    int maxFallbacks;

    @Option(
            names = "--output-tokens",
            defaultValue = "200",
            description =
                    "Tokens each agent is assumed to answer with, for the expected cost (default: ${DEFAULT-VALUE}).")
    int outputTokens;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        AnalysisPolicy policy =
                new AnalysisPolicy(
                        cloudThreshold, autoDecompose, AnalysisPolicy.DEFAULT_DECOMPOSE_THRESHOLD);
        ComplexityAnalyzer scorer =
                StageSettings.complexityAnalyzer(
                        "--analyzer",
                        analyzer,
                        model,
                        UncertainBand.parse("--uncertain-band", band),
                        policy);
        List<AgentEvent> registry = registry();
        Router router = new Router(maxFallbacks);
        RawDecoder decoder = new RawDecoder(new TaskValidator());
        Summary summary = new Summary();
        try (scorer;
                BufferedReader in =
                        file.equals("-")
                                ? new BufferedReader(
                                        new InputStreamReader(System.in, StandardCharsets.UTF_8))
                                : Files.newBufferedReader(Path.of(file))) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                Task task;
                Boolean cloud = null;
                try {
                    if (labelled) {
                        LabelledPrompt prompt = LabelledPrompt.parse(line);
                        task = prompt.toTask("line-" + number);
                        cloud = prompt.cloud();
                    } else {
                        task = decode(decoder, line, number);
                    }
                } catch (IOException | RuntimeException e) {
                    System.err.println("line " + number + ": " + e.getMessage());
                    summary.rejected++;
                    continue;
                }
                Analysis analysis = scorer.analyse(task);
                AnalyzedTask analyzed =
                        AnalyzedTask.newBuilder()
                                .setTask(task)
                                .setAnalysis(analysis)
                                .setAdmittedAt(0L)
                                .build();
                print(analyzed, route(router, analyzed, registry), cloud, summary);
            }
        }
        if (scorer instanceof TwoStageComplexityAnalyzer twoStage && twoStage.tasks() > 0) {
            summary.secondStage =
                    String.format(
                            Locale.ROOT,
                            "; embedding model decided %d of %d (%.1f%%), band %s",
                            twoStage.secondStage(),
                            twoStage.tasks(),
                            100.0 * twoStage.secondStage() / twoStage.tasks(),
                            twoStage.band());
        }
        String text = summary.text();
        if (json) {
            // Standard output stays one object per task.
            System.err.println(text);
        } else {
            System.out.println(text);
        }
        return summary.rejected > 0 ? 1 : 0;
    }

    private List<AgentEvent> registry() throws Exception {
        if (agents == null) {
            return DemoData.agents();
        }
        Map<String, AgentEvent> byId = new LinkedHashMap<>();
        for (AgentEvent event : AgentsCommand.read(agents)) {
            if (event.getType() == AgentEventType.RETIRE) {
                byId.remove(event.getAgentId());
            } else {
                byId.put(event.getAgentId(), event);
            }
        }
        return List.copyOf(byId.values());
    }

    private static Task decode(RawDecoder decoder, String line, int number) {
        Task task =
                decoder.decodeTask(
                        RawRecord.newBuilder()
                                .setTopic("analyze")
                                .setPartition(0)
                                .setOffset(number)
                                .setValue(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)))
                                .build());
        if (task.getTaskId().equals("analyze-0-" + number) && !line.contains("\"taskId\"")) {
            task.setTaskId("line-" + number);
        }
        return task;
    }

    /** The agents chosen and what they are expected to cost, or why there are none. */
    private record Choice(List<String> agents, Double costUsd, String note) {}

    private Choice route(Router router, AnalyzedTask analyzed, List<AgentEvent> registry) {
        if (analyzed.getAnalysis().getStrategy() == Strategy.DECOMPOSE) {
            return new Choice(List.of(), null, "planned: each step is routed on its own");
        }
        Router.Route route = router.route(analyzed, registry);
        if (!route.routed()) {
            return new Choice(List.of(), null, route.problem());
        }
        int tokensIn = TaskFeatures.tokenEstimate(analyzed.getTask().getInput());
        List<String> chosen = new ArrayList<>();
        double cost = 0;
        for (List<AgentEvent> chain : route.chains()) {
            AgentEvent primary = chain.get(0);
            chosen.add(primary.getAgentId());
            cost +=
                    tokensIn / 1000.0 * primary.getCostPer1kInputTokens()
                            + outputTokens / 1000.0 * primary.getCostPer1kOutputTokens();
        }
        // Rounded to a billionth of a dollar so that sums print without floating-point noise.
        return new Choice(chosen, Math.round(cost * 1e9) / 1e9, null);
    }

    private void print(AnalyzedTask analyzed, Choice choice, Boolean cloud, Summary summary)
            throws Exception {
        Analysis analysis = analyzed.getAnalysis();
        summary.add(analysis, choice);
        if (cloud != null) {
            summary.label(cloud, analysis.getTier() == Tier.CLOUD);
        }
        String taskId = analyzed.getTask().getTaskId();
        if (json) {
            ObjectNode node = JSON.createObjectNode();
            node.put("taskId", taskId);
            node.put("score", round(analysis.getComplexity()));
            node.put("tier", analysis.getTier().name());
            node.put("strategy", analysis.getStrategy().name());
            node.put("replicas", analysis.getReplicas());
            if (cloud != null) {
                node.put("label", cloud ? "CLOUD" : "EDGE");
            }
            ArrayNode agentIds = node.putArray("agents");
            choice.agents().forEach(agentIds::add);
            if (choice.costUsd() != null) {
                node.put("expectedCostUsd", choice.costUsd());
            } else {
                node.putNull("expectedCostUsd");
            }
            if (choice.note() != null) {
                node.put("note", choice.note());
            }
            System.out.println(JSON.writeValueAsString(node));
        } else {
            System.out.println(
                    String.format(
                            Locale.ROOT,
                            "%s  score=%.4f  %s  %s%s  %s%s",
                            taskId,
                            analysis.getComplexity(),
                            analysis.getTier(),
                            analysis.getStrategy(),
                            analysis.getReplicas() > 1 ? " x" + analysis.getReplicas() : "",
                            choice.costUsd() != null
                                    ? "agents="
                                            + String.join(",", choice.agents())
                                            + String.format(
                                                    Locale.ROOT, "  cost=$%.6f", choice.costUsd())
                                    : choice.note(),
                            cloud == null ? "" : "  label=" + (cloud ? "CLOUD" : "EDGE")));
        }
    }

    private static double round(double score) {
        return Math.round(score * 1e6) / 1e6;
    }

    /** Counts per tier and strategy, and the expected cost of the routed tasks. */
    private static final class Summary {
        final Map<Tier, Integer> tiers = new EnumMap<>(Tier.class);
        final Map<Strategy, Integer> strategies = new EnumMap<>(Strategy.class);
        int analysed;
        int unrouted;
        int rejected;
        double cost;
        String secondStage = "";
        int labelled;
        int right;
        int edgeSentToCloud;
        int cloudKeptAtEdge;

        void label(boolean cloud, boolean toCloud) {
            labelled++;
            if (cloud == toCloud) {
                right++;
            } else if (toCloud) {
                edgeSentToCloud++;
            } else {
                cloudKeptAtEdge++;
            }
        }

        void add(Analysis analysis, Choice choice) {
            analysed++;
            tiers.merge(analysis.getTier(), 1, Integer::sum);
            strategies.merge(analysis.getStrategy(), 1, Integer::sum);
            if (choice.costUsd() != null) {
                cost += choice.costUsd();
            } else if (analysis.getStrategy() != Strategy.DECOMPOSE) {
                unrouted++;
            }
        }

        String text() {
            StringBuilder out = new StringBuilder();
            out.append(analysed).append(" task(s) analysed");
            if (rejected > 0) {
                out.append(", ").append(rejected).append(" line(s) rejected");
            }
            out.append(":");
            for (Tier tier : Tier.values()) {
                int n = tiers.getOrDefault(tier, 0);
                out.append(
                        String.format(
                                Locale.ROOT,
                                " %s %d (%.1f%%)",
                                tier,
                                n,
                                analysed == 0 ? 0.0 : 100.0 * n / analysed));
            }
            out.append(";");
            for (Strategy strategy : Strategy.values()) {
                out.append(' ')
                        .append(strategy)
                        .append(' ')
                        .append(strategies.getOrDefault(strategy, 0));
            }
            out.append(String.format(Locale.ROOT, "; expected cost $%.6f", cost));
            if (unrouted > 0) {
                out.append(" (").append(unrouted).append(" task(s) without a suitable agent)");
            }
            out.append(secondStage);
            if (labelled > 0) {
                out.append(
                        String.format(
                                Locale.ROOT,
                                "; accuracy %.3f (%d of %d labelled: %d EDGE sent to CLOUD, %d"
                                        + " CLOUD kept at EDGE)",
                                (double) right / labelled,
                                right,
                                labelled,
                                edgeSentToCloud,
                                cloudKeptAtEdge));
            }
            return out.toString();
        }
    }
}
