package io.hivestream.operators.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The JSON form of a plan, as planner agents write it and as {@code docs/plans.md} describes it:
 *
 * <pre>
 * {"steps": [
 *   {"id": "research", "role": "researcher", "capabilities": ["research"], "dependsOn": [],
 *    "input": "Find the facts the answer needs."},
 *   {"id": "draft", "role": "writer", "capabilities": ["write"], "dependsOn": ["research"],
 *    "input": "Write the answer from these facts: {{research}}", "replicas": 3, "quorum": 2}
 * ]}
 * </pre>
 *
 * {@code kind} is optional (the first capability), as are {@code replicas} (1) and {@code quorum}
 * (a majority). An answer may wrap the object in prose or a fenced block: the outermost braces are
 * read. Everything wrong with an answer is reported at once, so that a planner asked again learns
 * every reason.
 */
public final class PlanJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Set<String> FIELDS =
            Set.of(
                    "id",
                    "role",
                    "kind",
                    "capabilities",
                    "dependsOn",
                    "input",
                    "replicas",
                    "quorum");

    private PlanJson() {}

    /** An answer that is not a plan, with every reason. */
    public static final class PlanFormatException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        private final List<String> problems;

        public PlanFormatException(List<String> problems) {
            super(String.join("; ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    /**
     * The steps of a planner's answer.
     *
     * @throws PlanFormatException when the answer is not a plan in this form, with every reason
     */
    public static List<Planner.Step> parse(String answer) {
        if (answer == null || answer.isBlank()) {
            throw new PlanFormatException(List.of("the planner's answer is empty"));
        }
        int start = answer.indexOf('{');
        int end = answer.lastIndexOf('}');
        if (start < 0 || end < start) {
            throw new PlanFormatException(
                    List.of("the planner's answer is not JSON: it holds no object in braces"));
        }
        JsonNode root;
        try {
            root = JSON.readTree(answer.substring(start, end + 1));
        } catch (JsonProcessingException e) {
            throw new PlanFormatException(
                    List.of(
                            "the planner's answer is not JSON: "
                                    + e.getOriginalMessage()
                                    + " (line "
                                    + e.getLocation().getLineNr()
                                    + ", column "
                                    + e.getLocation().getColumnNr()
                                    + ")"));
        }
        JsonNode steps = root.get("steps");
        if (steps == null || !steps.isArray()) {
            throw new PlanFormatException(
                    List.of("the plan must be an object with an array 'steps'"));
        }
        List<String> problems = new ArrayList<>();
        List<Planner.Step> parsed = new ArrayList<>();
        int index = 0;
        for (JsonNode step : steps) {
            index++;
            String where = "step " + index;
            if (!step.isObject()) {
                problems.add(where + " must be an object");
                continue;
            }
            for (Iterator<String> names = step.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!FIELDS.contains(name)) {
                    problems.add(where + " has an unknown field '" + name + "'");
                }
            }
            String id = text(step, "id", where, problems, true);
            if (id != null) {
                where = "step '" + id + "'";
            }
            String role = text(step, "role", where, problems, true);
            String input = text(step, "input", where, problems, true);
            List<String> capabilities = strings(step, "capabilities", where, problems);
            List<String> dependsOn = strings(step, "dependsOn", where, problems);
            String kind = text(step, "kind", where, problems, false);
            Integer replicas = wholeNumber(step, "replicas", where, problems);
            Integer quorum = wholeNumber(step, "quorum", where, problems);
            if (kind == null && !capabilities.isEmpty()) {
                kind = capabilities.get(0);
            }
            parsed.add(
                    new Planner.Step(
                            id,
                            role,
                            kind,
                            capabilities,
                            dependsOn,
                            input,
                            replicas != null ? replicas : 1,
                            quorum));
        }
        if (!problems.isEmpty()) {
            throw new PlanFormatException(problems);
        }
        return parsed;
    }

    /** A plan in this form, as a planner would answer it. */
    public static String write(List<Planner.Step> steps) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode array = root.putArray("steps");
        for (Planner.Step step : steps) {
            ObjectNode node = array.addObject();
            node.put("id", step.id());
            node.put("role", step.role());
            node.put("kind", step.kind());
            step.capabilities().forEach(node.putArray("capabilities")::add);
            ArrayNode dependsOn = node.putArray("dependsOn");
            step.dependsOn().forEach(dependsOn::add);
            node.put("input", step.instruction());
            if (step.replicas() != 1) {
                node.put("replicas", step.replicas());
            }
            if (step.quorum() != null) {
                node.put("quorum", step.quorum());
            }
        }
        return root.toString();
    }

    private static String text(
            JsonNode step, String field, String where, List<String> problems, boolean required) {
        JsonNode value = step.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                problems.add(where + " has no '" + field + "'");
            }
            return null;
        }
        if (!value.isTextual()) {
            problems.add(where + ": '" + field + "' must be a string");
            return null;
        }
        return value.asText();
    }

    private static Integer wholeNumber(
            JsonNode step, String field, String where, List<String> problems) {
        JsonNode value = step.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            problems.add(where + ": '" + field + "' must be a whole number");
            return null;
        }
        return value.intValue();
    }

    private static List<String> strings(
            JsonNode step, String field, String where, List<String> problems) {
        JsonNode value = step.get(field);
        List<String> strings = new ArrayList<>();
        if (value == null || value.isNull()) {
            return strings;
        }
        if (!value.isArray()) {
            problems.add(where + ": '" + field + "' must be an array of strings");
            return strings;
        }
        for (JsonNode item : value) {
            if (!item.isTextual()) {
                problems.add(where + ": '" + field + "' must be an array of strings");
                return List.of();
            }
            strings.add(item.asText());
        }
        return strings;
    }
}
