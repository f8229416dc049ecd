package io.hivestream.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hivestream.operators.route.AgentRegistry;
import io.hivestream.operators.route.AgentStatistics;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.CallOutcome;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The agent registry as the job folds it from the agents topic, with each agent's calls from the
 * metrics topic: what {@code agents list} prints.
 */
final class AgentStats {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, AgentEvent> registry = new TreeMap<>();
    private final AgentRegistry.Store store = AgentRegistry.of(registry);
    private final Map<String, Calls> calls = new LinkedHashMap<>();

    /** One agent's calls: how many, how many succeeded, their total latency and cost. */
    static final class Calls {
        long count;
        long succeeded;
        long latencyMs;
        double costUsd;

        double successRate() {
            return count == 0 ? 0.0 : (double) succeeded / count;
        }

        double meanLatencyMs() {
            return count == 0 ? 0.0 : (double) latencyMs / count;
        }
    }

    /**
     * Applies one agents-topic record as the job does ({@link AgentRegistry}): a retire removes the
     * agent, a heartbeat changes only its timestamp.
     */
    void apply(AgentEvent event) {
        try {
            AgentRegistry.apply(store, event, 0);
        } catch (Exception e) {
            throw new IllegalStateException("a map store does not throw", e);
        }
    }

    /** Removes an agent whose key was deleted from the compacted topic (a tombstone). */
    void forget(String agentId) {
        registry.remove(agentId);
    }

    /**
     * Counts one call metric of an agent if it {@linkplain AgentStatistics#countsForAgent counts
     * for the agent}, as the router does; other metrics are ignored.
     */
    void count(Metric metric) {
        if (metric.getKind() != MetricKind.CALL
                || metric.getCall() == null
                || metric.getAgentId() == null
                || !AgentStatistics.countsForAgent(metric.getCall())) {
            return;
        }
        Calls agent = calls.computeIfAbsent(metric.getAgentId(), id -> new Calls());
        agent.count++;
        if (metric.getCall().getOutcome() == CallOutcome.SUCCESS) {
            agent.succeeded++;
        }
        agent.latencyMs += metric.getCall().getLatencyMs();
        agent.costUsd += metric.getCall().getCostUsd();
    }

    Map<String, AgentEvent> registry() {
        return registry;
    }

    Calls calls(String agentId) {
        return calls.getOrDefault(agentId, new Calls());
    }

    /** A header and one line per registered agent, by id. */
    List<String> lines() {
        List<String> lines = new ArrayList<>();
        lines.add(
                String.format(
                        Locale.ROOT,
                        "%-16s %-10s %-6s %-24s %7s %7s %9s %11s",
                        "AGENT",
                        "RUNTIME",
                        "TIER",
                        "CAPABILITIES",
                        "CALLS",
                        "OK",
                        "MEAN MS",
                        "COST USD"));
        for (AgentEvent agent : registry.values()) {
            Calls c = calls(agent.getAgentId());
            lines.add(
                    String.format(
                            Locale.ROOT,
                            "%-16s %-10s %-6s %-24s %7d %7s %9s %11.6f",
                            agent.getAgentId(),
                            agent.getRuntime(),
                            agent.getTier(),
                            String.join(",", agent.getCapabilities()),
                            c.count,
                            c.count == 0
                                    ? "-"
                                    : String.format(Locale.ROOT, "%.1f%%", 100 * c.successRate()),
                            c.count == 0
                                    ? "-"
                                    : String.format(Locale.ROOT, "%.1f", c.meanLatencyMs()),
                            c.costUsd));
        }
        return lines;
    }

    /** One JSON object per registered agent, by id. */
    List<String> jsonLines() {
        List<String> lines = new ArrayList<>();
        for (AgentEvent agent : registry.values()) {
            Calls c = calls(agent.getAgentId());
            ObjectNode node = JSON.createObjectNode();
            node.put("agentId", agent.getAgentId());
            node.put("runtime", agent.getRuntime());
            node.put("tier", agent.getTier().name());
            node.putArray("capabilities")
                    .addAll(
                            agent.getCapabilities().stream()
                                    .map(JSON.getNodeFactory()::textNode)
                                    .toList());
            node.put("calls", c.count);
            node.put("succeeded", c.succeeded);
            if (c.count > 0) {
                node.put("successRate", c.successRate());
                node.put("meanLatencyMs", c.meanLatencyMs());
            } else {
                node.putNull("successRate");
                node.putNull("meanLatencyMs");
            }
            node.put("costUsd", c.costUsd);
            lines.add(node.toString());
        }
        return lines;
    }
}
