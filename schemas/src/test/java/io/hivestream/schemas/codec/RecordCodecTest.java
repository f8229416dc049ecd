package io.hivestream.schemas.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.RoutingExample;
import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.Tier;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;

class RecordCodecTest {

    private static Task fullTask() {
        return Task.newBuilder()
                .setTaskId("t-1")
                .setTenant("acme")
                .setSessionId("s-9")
                .setKind("classify")
                .setInput("I was charged twice for my order.")
                .setCapabilities(List.of("classify"))
                .setReplicas(3)
                .setQuorum(2)
                .setStrategy(Strategy.CONSENSUS)
                .setTier(Tier.EDGE)
                .setPriority(5)
                .setDeadline(1_800_000_000_000L)
                .setBudgetUsd(0.25)
                .setMetadata(Map.of("labels", "billing,shipping,technical"))
                .setCreatedAt(1_700_000_000_000L)
                .build();
    }

    @Test
    void routingExamplesRoundTripInAvroAndJson() {
        RoutingExample example =
                RoutingExample.newBuilder()
                        .setTaskId("t-1")
                        .setTenant("acme")
                        .setKind("math")
                        .setCapabilities(List.of("math"))
                        .setInput("Prove that there are infinitely many primes.")
                        .setLabel(Tier.CLOUD)
                        .setEvidence("cascade-escalated")
                        .setTier(Tier.EDGE)
                        .setComplexity(0.25)
                        .setAnalyzer("two-stage")
                        .setCreatedAt(1_700_000_000_000L)
                        .build();

        assertThat(Codecs.ROUTING_EXAMPLE.decode(Codecs.ROUTING_EXAMPLE.encodeAvro(example)))
                .isEqualTo(example);
        String json = Codecs.ROUTING_EXAMPLE.toJsonString(example);
        assertThat(json)
                .isEqualTo(
                        "{\"taskId\":\"t-1\",\"tenant\":\"acme\",\"kind\":\"math\","
                                + "\"capabilities\":[\"math\"],"
                                + "\"input\":\"Prove that there are infinitely many primes.\","
                                + "\"label\":\"CLOUD\",\"evidence\":\"cascade-escalated\","
                                + "\"tier\":\"EDGE\",\"complexity\":0.25,"
                                + "\"analyzer\":\"two-stage\",\"simulated\":false,"
                                + "\"createdAt\":1700000000000}");
        assertThat(Codecs.ROUTING_EXAMPLE.decode(json.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(example);
    }

    @Test
    void avroRoundTripKeepsEveryField() {
        Task task = fullTask();
        byte[] bytes = Codecs.TASK.encodeAvro(task);

        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        assertThat(Codecs.TASK.decode(bytes)).isEqualTo(task);
    }

    @Test
    void avroBytesAreAvrosOwnSingleObjectEncoding() throws Exception {
        Task task = fullTask();
        TaskResult result =
                TaskResult.newBuilder()
                        .setTaskId("t-1")
                        .setStatus(TaskStatus.COMPLETED)
                        .setOutput("forty-two")
                        .setAgents(List.of("a-1"))
                        .setAnswers(
                                List.of(
                                        AgentAnswer.newBuilder()
                                                .setAgentId("a-1")
                                                .setOutput("forty-two")
                                                .build()))
                        .build();

        assertThat(Codecs.TASK.encodeAvro(task))
                .isEqualTo(
                        new BinaryMessageEncoder<Task>(
                                        SpecificData.getForClass(Task.class), Task.getClassSchema())
                                .encode(task)
                                .array());
        assertThat(Codecs.TASK_RESULT.encodeAvro(result))
                .isEqualTo(
                        new BinaryMessageEncoder<TaskResult>(
                                        SpecificData.getForClass(TaskResult.class),
                                        TaskResult.getClassSchema())
                                .encode(result)
                                .array());
    }

    @Test
    void aRecordThatCannotBeEncodedLeavesNothingBehindForTheNext() {
        TaskResult good =
                TaskResult.newBuilder().setTaskId("t-1").setStatus(TaskStatus.FAILED).build();
        byte[] expected = Codecs.TASK_RESULT.encodeAvro(good);
        // Its first fields are written before the missing status fails the write.
        TaskResult broken = TaskResult.newBuilder(good).build();
        broken.setStatus(null);

        assertThatThrownBy(() -> Codecs.TASK_RESULT.encodeAvro(broken))
                .isInstanceOf(CodecException.class)
                .hasMessageStartingWith("cannot encode TaskResult");
        assertThat(Codecs.TASK_RESULT.encodeAvro(good)).isEqualTo(expected);
        assertThat(Codecs.TASK_RESULT.decode(expected)).isEqualTo(good);
    }

    @Test
    void jsonRoundTripKeepsEveryField() {
        Task task = fullTask();
        String json = Codecs.TASK.toJsonString(task);

        assertThat(json)
                .isEqualTo(
                        "{\"taskId\":\"t-1\",\"tenant\":\"acme\",\"sessionId\":\"s-9\","
                                + "\"kind\":\"classify\",\"input\":\"I was charged twice for my order.\","
                                + "\"capabilities\":[\"classify\"],\"replicas\":3,\"quorum\":2,"
                                + "\"strategy\":\"CONSENSUS\",\"tier\":\"EDGE\",\"priority\":5,"
                                + "\"deadline\":1800000000000,\"budgetUsd\":0.25,"
                                + "\"metadata\":{\"labels\":\"billing,shipping,technical\"},"
                                + "\"createdAt\":1700000000000}");
        assertThat(Codecs.TASK.decode(json.getBytes(StandardCharsets.UTF_8))).isEqualTo(task);
    }

    @Test
    void jsonFillsDefaultsAndAcceptsFriendlyValues() {
        Task task =
                Codecs.TASK.fromJson(
                        "{\"taskId\":\"t-2\",\"input\":\"hello\",\"replicas\":\"3\","
                                + "\"strategy\":\"consensus\",\"deadline\":\"2027-01-01T00:00:00Z\","
                                + "\"metadata\":{\"maxTokens\":5}}");

        assertThat(task.getTenant()).isEqualTo("default");
        assertThat(task.getKind()).isEqualTo("chat");
        assertThat(task.getSessionId()).isNull();
        assertThat(task.getCapabilities()).isEmpty();
        assertThat(task.getReplicas()).isEqualTo(3);
        assertThat(task.getStrategy()).isEqualTo(Strategy.CONSENSUS);
        assertThat(task.getDeadline()).isEqualTo(1_798_761_600_000L);
        assertThat(task.getMetadata()).isEqualTo(Map.of("maxTokens", "5"));
    }

    @Test
    void nestedRecordsAndEnumsRoundTripThroughJson() {
        TaskResult result =
                TaskResult.newBuilder()
                        .setTaskId("t-3")
                        .setStatus(TaskStatus.COMPLETED)
                        .setOutput("billing")
                        .setStrategy(Strategy.CONSENSUS)
                        .setAgents(List.of("a", "b"))
                        .setAnswers(
                                List.of(
                                        AgentAnswer.newBuilder()
                                                .setAgentId("a")
                                                .setOutput("billing")
                                                .setAgreed(true)
                                                .setSimulated(true)
                                                .build(),
                                        AgentAnswer.newBuilder()
                                                .setAgentId("c")
                                                .setOutput("shipping")
                                                .setAgreed(false)
                                                .build()))
                        .setAgreement(2.0 / 3)
                        .setCompletedAt(42L)
                        .build();

        byte[] json = Codecs.TASK_RESULT.encode(result, WireFormat.JSON);
        byte[] avro = Codecs.TASK_RESULT.encode(result, WireFormat.AVRO);

        assertThat(Codecs.TASK_RESULT.decode(json)).isEqualTo(result);
        assertThat(Codecs.TASK_RESULT.decode(avro)).isEqualTo(result);
    }

    @Test
    void agentEventFromTheReadmeExample() {
        AgentEvent agent =
                Codecs.AGENT_EVENT.fromJson(
                        "{\"agentId\": \"gpt-main\", \"runtime\": \"openai\","
                                + " \"baseUrl\": \"https://api.example.com/v1\","
                                + " \"model\": \"some-model\", \"apiKeyEnv\": \"OPENAI_API_KEY\","
                                + " \"capabilities\": [\"chat\", \"code\"], \"tier\": \"CLOUD\","
                                + " \"costPer1kInputTokens\": 0.0025, \"costPer1kOutputTokens\": 0.01,"
                                + " \"maxConcurrency\": 64}");

        assertThat(agent.getAgentId()).isEqualTo("gpt-main");
        assertThat(agent.getTier()).isEqualTo(Tier.CLOUD);
        assertThat(agent.getCapabilities()).containsExactly("chat", "code");
        assertThat(agent.getCostPer1kOutputTokens()).isEqualTo(0.01);
        assertThat(agent.getMaxConcurrency()).isEqualTo(64);
        assertThat(agent.getTimeoutMs()).isEqualTo(30_000L);
    }

    @Test
    void bytesWrittenWithTheFirstTaskSchemaStillDecode() throws Exception {
        Schema v1;
        try (var in =
                getClass().getClassLoader().getResourceAsStream("avro-history/Task.v1.avsc")) {
            v1 = new Schema.Parser().parse(in);
        }
        GenericRecord old = new GenericData.Record(v1);
        old.put("taskId", "old-1");
        old.put("tenant", "acme");
        old.put("sessionId", null);
        old.put("kind", "summarize");
        old.put("input", "A long text.");
        old.put("capabilities", List.of("summarize"));
        old.put("replicas", 1);
        old.put("quorum", null);
        old.put("metadata", Map.of("k", "v"));
        byte[] bytes =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old).array();

        Task task = Codecs.TASK.decode(bytes);

        assertThat(task.getTaskId()).isEqualTo("old-1");
        assertThat(task.getKind()).isEqualTo("summarize");
        assertThat(task.getCapabilities()).containsExactly("summarize");
        assertThat(task.getMetadata()).isEqualTo(Map.of("k", "v"));
        assertThat(task.getStrategy()).isNull();
        assertThat(task.getPriority()).isZero();
        assertThat(task.getCreatedAt()).isNull();
    }

    @Test
    void agentsWrittenWithTheFirstAgentSchemaStillDecode() throws Exception {
        Schema v1;
        try (var in =
                getClass()
                        .getClassLoader()
                        .getResourceAsStream("avro-history/AgentEvent.v1.avsc")) {
            v1 = new Schema.Parser().parse(in);
        }
        GenericRecord old = new GenericData.Record(v1);
        for (Schema.Field field : v1.getFields()) {
            if (field.hasDefaultValue()) {
                old.put(field.name(), GenericData.get().getDefaultValue(field));
            }
        }
        old.put("agentId", "old-agent");
        old.put("capabilities", List.of("chat"));
        byte[] bytes =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old).array();

        AgentEvent agent = Codecs.AGENT_EVENT.decode(bytes);

        assertThat(agent.getAgentId()).isEqualTo("old-agent");
        assertThat(agent.getCapabilities()).containsExactly("chat");
        assertThat(agent.getTier()).isEqualTo(Tier.EDGE);
        assertThat(agent.getHeartbeatIntervalMs()).isNull();
    }

    @Test
    void agentsWrittenBeforeRateLimitsStillDecodeWithoutLimits() throws Exception {
        Schema v2;
        try (var in =
                getClass()
                        .getClassLoader()
                        .getResourceAsStream("avro-history/AgentEvent.v2.avsc")) {
            v2 = new Schema.Parser().parse(in);
        }
        GenericRecord old = new GenericData.Record(v2);
        for (Schema.Field field : v2.getFields()) {
            if (field.hasDefaultValue()) {
                old.put(field.name(), GenericData.get().getDefaultValue(field));
            }
        }
        old.put("agentId", "beating");
        old.put("heartbeatIntervalMs", 5000L);
        byte[] bytes =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v2).encode(old).array();

        AgentEvent agent = Codecs.AGENT_EVENT.decode(bytes);

        assertThat(agent.getAgentId()).isEqualTo("beating");
        assertThat(agent.getHeartbeatIntervalMs()).isEqualTo(5000L);
        assertThat(agent.getRateLimitRpm()).isNull();
        assertThat(agent.getRateLimitTpm()).isNull();
    }

    @Test
    void resultsWrittenWithTheFirstResultSchemaStillDecode() throws Exception {
        Schema v1;
        try (var in =
                getClass()
                        .getClassLoader()
                        .getResourceAsStream("avro-history/TaskResult.v1.avsc")) {
            v1 = new Schema.Parser().parse(in);
        }
        Schema answerSchema = v1.getField("answers").schema().getElementType();
        GenericRecord answer = new GenericData.Record(answerSchema);
        for (Schema.Field field : answerSchema.getFields()) {
            answer.put(
                    field.name(),
                    field.defaultVal() == null ? null : GenericData.get().getDefaultValue(field));
        }
        answer.put("agentId", "a1");
        answer.put("output", "84");
        answer.put("agreed", true);
        GenericRecord old = new GenericData.Record(v1);
        for (Schema.Field field : v1.getFields()) {
            if (field.hasDefaultValue()) {
                old.put(field.name(), GenericData.get().getDefaultValue(field));
            }
        }
        old.put("taskId", "old-result");
        old.put("status", new GenericData.EnumSymbol(v1.getField("status").schema(), "COMPLETED"));
        old.put("output", "84");
        old.put("answers", List.of(answer));
        byte[] bytes =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old).array();

        TaskResult result = Codecs.TASK_RESULT.decode(bytes);

        assertThat(result.getTaskId()).isEqualTo("old-result");
        assertThat(result.getStatus()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(result.getOutput()).isEqualTo("84");
        assertThat(result.getAnswers())
                .containsExactly(
                        AgentAnswer.newBuilder()
                                .setAgentId("a1")
                                .setOutput("84")
                                .setAgreed(true)
                                .build());
        assertThat(result.getVote()).isNull();
        assertThat(result.getSubtasks()).isEmpty();
    }

    @Test
    void resultsWrittenBeforeTheAgentTierStillDecode() throws Exception {
        Schema v2;
        try (var in =
                getClass()
                        .getClassLoader()
                        .getResourceAsStream("avro-history/TaskResult.v2.avsc")) {
            v2 = new Schema.Parser().parse(in);
        }
        GenericRecord old = new GenericData.Record(v2);
        for (Schema.Field field : v2.getFields()) {
            if (field.hasDefaultValue()) {
                old.put(field.name(), GenericData.get().getDefaultValue(field));
            }
        }
        old.put("taskId", "v2-result");
        old.put("status", new GenericData.EnumSymbol(v2.getField("status").schema(), "COMPLETED"));
        old.put("output", "42");
        old.put(
                "tier",
                new GenericData.EnumSymbol(v2.getField("tier").schema().getTypes().get(1), "EDGE"));
        byte[] bytes =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v2).encode(old).array();

        TaskResult result = Codecs.TASK_RESULT.decode(bytes);

        assertThat(result.getTaskId()).isEqualTo("v2-result");
        assertThat(result.getOutput()).isEqualTo("42");
        assertThat(result.getTier()).isEqualTo(Tier.EDGE);
        assertThat(result.getAgentTier()).isNull();
        assertThat(result.getLineage()).isNull();
    }

    @Test
    void resultsWrittenBeforeLineageStillDecodeWithoutOne() throws Exception {
        Schema v2;
        try (var in =
                getClass()
                        .getClassLoader()
                        .getResourceAsStream("avro-history/TaskResult.v2.avsc")) {
            v2 = new Schema.Parser().parse(in);
        }
        GenericRecord old = new GenericData.Record(v2);
        for (Schema.Field field : v2.getFields()) {
            if (field.hasDefaultValue()) {
                old.put(field.name(), GenericData.get().getDefaultValue(field));
            }
        }
        old.put("taskId", "before-lineage");
        old.put("status", new GenericData.EnumSymbol(v2.getField("status").schema(), "FAILED"));
        old.put("error", "no agent");
        byte[] bytes =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v2).encode(old).array();

        TaskResult result = Codecs.TASK_RESULT.decode(bytes);

        assertThat(result.getTaskId()).isEqualTo("before-lineage");
        assertThat(result.getStatus()).isEqualTo(TaskStatus.FAILED);
        assertThat(result.getError()).isEqualTo("no agent");
        assertThat(result.getLineage()).isNull();
    }

    @Test
    void randomBytesGiveAClearError() {
        byte[] garbage = new byte[64];
        new Random(7).nextBytes(garbage);
        garbage[0] = 0x01;

        assertThatThrownBy(() -> Codecs.TASK.decode(garbage))
                .isInstanceOf(CodecException.class)
                .hasMessageStartingWith("neither Avro single-object bytes nor valid JSON");
    }

    @Test
    void truncatedAvroGivesAClearError() {
        byte[] bytes = Codecs.TASK.encodeAvro(fullTask());
        byte[] truncated = Arrays.copyOf(bytes, bytes.length / 2);

        assertThatThrownBy(() -> Codecs.TASK.decode(truncated))
                .isInstanceOf(CodecException.class)
                .hasMessageStartingWith(
                        "truncated or corrupt Avro Task (" + truncated.length + " bytes)");
    }

    @Test
    void currentSchemaBytesDecodeAsAvrosMessageDecoderReadsThem() throws Exception {
        TaskResult result =
                TaskResult.newBuilder()
                        .setTaskId("t-1")
                        .setTenant("acme")
                        .setStatus(TaskStatus.COMPLETED)
                        .setOutput("forty-two, and ünïcödé 😀")
                        .setAgents(List.of("a-1", "a-2"))
                        .setAnswers(
                                List.of(
                                        AgentAnswer.newBuilder()
                                                .setAgentId("a-1")
                                                .setOutput("forty-two")
                                                .setCostUsd(0.25)
                                                .build()))
                        .setMetadata(Map.of("k", "v", "x", ""))
                        .build();
        BinaryMessageDecoder<Task> tasks =
                new BinaryMessageDecoder<>(
                        SpecificData.getForClass(Task.class), Task.getClassSchema());
        BinaryMessageDecoder<TaskResult> results =
                new BinaryMessageDecoder<>(
                        SpecificData.getForClass(TaskResult.class), TaskResult.getClassSchema());
        byte[] taskBytes = Codecs.TASK.encodeAvro(fullTask());
        byte[] resultBytes = Codecs.TASK_RESULT.encodeAvro(result);
        byte[] truncated = Arrays.copyOf(taskBytes, taskBytes.length - 3);

        // One thread decodes one after the other, a failure in between: its reused decoder
        // carries nothing from one record to the next.
        for (int i = 0; i < 3; i++) {
            assertThat(Codecs.TASK.decode(taskBytes)).isEqualTo(tasks.decode(taskBytes));
            assertThatThrownBy(() -> Codecs.TASK.decode(truncated))
                    .hasMessageStartingWith(
                            "truncated or corrupt Avro Task (" + truncated.length + " bytes)");
            assertThat(Codecs.TASK_RESULT.decode(resultBytes))
                    .isEqualTo(results.decode(resultBytes))
                    .isEqualTo(result);
        }
    }

    @Test
    void unknownSchemaFingerprintGivesAClearError() {
        byte[] bytes = Codecs.TASK.encodeAvro(fullTask());
        bytes[5] ^= 0x5A;

        assertThatThrownBy(() -> Codecs.TASK.decode(bytes))
                .isInstanceOf(CodecException.class)
                .hasMessage(
                        "Avro record written with an unknown schema (fingerprint not among the Task"
                                + " versions this job knows)");
    }

    @Test
    void wrongJsonShapesNameTheField() {
        assertThatThrownBy(
                        () ->
                                Codecs.TASK.fromJson(
                                        "{\"taskId\":\"x\",\"input\":\"a\",\"replicas\":\"three\"}"))
                .isInstanceOf(CodecException.class)
                .hasMessage("field 'replicas': expected a number, got \"three\"");
        assertThatThrownBy(
                        () ->
                                Codecs.TASK.fromJson(
                                        "{\"taskId\":\"x\",\"input\":\"a\",\"replicas\":2.5}"))
                .hasMessage("field 'replicas': expected a whole number, got 2.5");
        assertThatThrownBy(() -> Codecs.TASK.fromJson("{\"taskId\":\"x\"}"))
                .hasMessage("missing required field 'input'");
        assertThatThrownBy(
                        () ->
                                Codecs.TASK.fromJson(
                                        "{\"taskId\":\"x\",\"input\":\"a\",\"inputt\":1}"))
                .hasMessageStartingWith("unknown field(s) [inputt]; known fields: taskId, tenant,");
        assertThatThrownBy(
                        () ->
                                Codecs.TASK.fromJson(
                                        "{\"taskId\":\"x\",\"input\":\"a\",\"strategy\":\"vote\"}"))
                .hasMessage(
                        "field 'strategy': expected one of [DIRECT, CONSENSUS, DECOMPOSE], got \"vote\"");
        assertThatThrownBy(
                        () ->
                                Codecs.TASK.fromJson(
                                        "{\"taskId\":\"x\",\"input\":\"a\",\"capabilities\":[\"a\",{}]}"))
                .hasMessage("field 'capabilities[1]': expected a string, got {}");
        assertThatThrownBy(() -> Codecs.TASK.decode("[1,2]".getBytes(StandardCharsets.UTF_8)))
                .hasMessage("expected a JSON object, got array");
        assertThatThrownBy(() -> Codecs.TASK.decode(new byte[0]))
                .hasMessage("empty record: expected Avro single-object bytes or JSON");
    }

    @Test
    void codecSurvivesJavaSerialization() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(buffer)) {
            out.writeObject(Codecs.TASK);
        }
        @SuppressWarnings("unchecked")
        RecordCodec<Task> copy =
                (RecordCodec<Task>)
                        new ObjectInputStream(new ByteArrayInputStream(buffer.toByteArray()))
                                .readObject();

        assertThat(copy.decode(Codecs.TASK.encodeAvro(fullTask()))).isEqualTo(fullTask());
    }
}
