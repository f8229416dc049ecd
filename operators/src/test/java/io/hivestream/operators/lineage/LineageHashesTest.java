package io.hivestream.operators.lineage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.SubtaskResult;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * Every field of a result is covered by its hash: the test walks the schema, so a field added later
 * and left out of {@link LineageHashes#resultBytes} (or of the answers' or steps' hashes) fails
 * here.
 */
class LineageHashesTest {
    private static final LineageSigner SIGNER = signer();

    private static LineageSigner signer() {
        try {
            return new LineageSigner(
                    GoldenExample.key(Path.of("src/test/resources/lineage"), "ed25519"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The golden example with every optional field set and every list not empty. */
    private static TaskResult base() {
        TaskResult result = GoldenExample.unsigned();
        result.setSessionId("session-1");
        result.setError("none");
        result.setParentId("parent-1");
        result.setRootId("root-1");
        result.setSimulated(true);
        result.setAnalyzerModel("router-7");
        result.setSubtasks(
                new ArrayList<>(
                        List.of(
                                SubtaskResult.newBuilder()
                                        .setTaskId("golden-1/design")
                                        .setStep("design")
                                        .setRole("architect")
                                        .setKind("chat")
                                        .setStatus(TaskStatus.COMPLETED)
                                        .setOutput("a design")
                                        .build())));
        return result;
    }

    private static String resultHash(TaskResult unsigned) {
        return SIGNER.link(unsigned, null).result().getLineage().getResultSha256();
    }

    @Test
    void changingAnyFieldOfTheResultChangesItsHash() {
        String baseHash = resultHash(base());
        List<String> checked = new ArrayList<>();

        for (Schema.Field field : TaskResult.getClassSchema().getFields()) {
            if (field.name().equals("lineage")) {
                continue;
            }
            TaskResult changed = base();
            changed.put(field.pos(), changedValue(field, changed.get(field.pos())));

            assertThat(resultHash(changed)).as("field %s", field.name()).isNotEqualTo(baseHash);
            checked.add(field.name());
        }

        assertThat(checked)
                .contains("agentTier", "tier", "answers", "subtasks", "metadata", "analyzerModel");
        assertThat(checked).hasSize(TaskResult.getClassSchema().getFields().size() - 1);
    }

    @Test
    void aResultThatNamesNoAnalyserModelHashesAsBeforeTheField() {
        TaskResult plain = GoldenExample.unsigned();
        byte[] before = LineageHashes.resultBytes(SIGNER.link(plain, null).result());
        TaskResult named = GoldenExample.unsigned();
        named.setAnalyzerModel("router-7");
        byte[] after = LineageHashes.resultBytes(SIGNER.link(named, null).result());

        // str("router-7"): its length as u32, then its UTF-8 bytes, after the algorithm.
        assertThat(after).hasSize(before.length + 4 + 8);
        assertThat(Arrays.copyOf(after, before.length)).isEqualTo(before);
        assertThat(new String(after, before.length + 4, 8, java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("router-7");
    }

    @Test
    void aCachedAnswerHashesOtherwiseAndAnAnswerNotCachedAsBeforeTheFlag() {
        AgentAnswer answer = GoldenExample.unsigned().getAnswers().get(0);
        byte[] plain = LineageHashes.answerBytes(answer, null);
        AgentAnswer cached = AgentAnswer.newBuilder(answer).setCached(true).build();
        byte[] marked = LineageHashes.answerBytes(cached, null);

        // Not cached: the bytes end at simulated, as they did before the flag existed.
        assertThat(plain[plain.length - 1]).isEqualTo((byte) (answer.getSimulated() ? 1 : 0));
        assertThat(marked).hasSize(plain.length + 1);
        assertThat(Arrays.copyOf(marked, plain.length)).isEqualTo(plain);
        assertThat(marked[plain.length]).isEqualTo((byte) 1);

        TaskResult result = base();
        TaskResult withCached = base();
        List<AgentAnswer> answers = new ArrayList<>(withCached.getAnswers());
        answers.set(0, AgentAnswer.newBuilder(answers.get(0)).setCached(true).build());
        withCached.setAnswers(answers);
        assertThat(resultHash(withCached)).isNotEqualTo(resultHash(result));
    }

    /** A value other than {@code value} of the field's type: null for an optional one. */
    private static Object changedValue(Schema.Field field, Object value) {
        Schema schema = field.schema();
        if (schema.isNullable()) {
            if (value == null) {
                fail("the base result needs a value for the optional field " + field.name());
            }
            return null;
        }
        return switch (schema.getType()) {
            case STRING -> value + "'";
            case LONG -> (Long) value + 1;
            case INT -> (Integer) value + 1;
            case DOUBLE -> (Double) value + 1;
            case BOOLEAN -> !(Boolean) value;
            case ENUM -> otherConstant((Enum<?>) value);
            case ARRAY -> {
                List<?> list = (List<?>) value;
                if (list.isEmpty()) {
                    fail("the base result needs an element in the list " + field.name());
                }
                yield new ArrayList<>(list.subList(0, list.size() - 1));
            }
            case MAP -> {
                Map<Object, Object> map = new HashMap<>((Map<?, ?>) value);
                map.put("added", "entry");
                yield map;
            }
            default ->
                    throw new AssertionError(
                            "no change known for field "
                                    + field.name()
                                    + " of type "
                                    + schema.getType());
        };
    }

    private static Enum<?> otherConstant(Enum<?> value) {
        Enum<?>[] constants = value.getDeclaringClass().getEnumConstants();
        return constants[(value.ordinal() + 1) % constants.length];
    }
}
