package io.hivestream.operators.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hivestream.schemas.Task;
import io.hivestream.schemas.Tenant;
import io.hivestream.schemas.codec.CodecException;
import io.hivestream.schemas.codec.Codecs;
import io.hivestream.schemas.internal.RawRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tenant records, and where a task's tenant comes from. */
class TenantDecodingTest {
    private static final String FORGED =
            "{\"taskId\":\"t1\",\"tenant\":\"victim\",\"input\":\"What is 2 + 2?\"}";

    private static RawRecord raw(String topic, String json, Map<String, ByteBuffer> headers) {
        return RawRecord.newBuilder()
                .setTopic(topic)
                .setPartition(0)
                .setOffset(3)
                .setValue(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)))
                .setHeaders(headers)
                .build();
    }

    private static RawDecoder decoder(TenantSource.Mode mode) {
        return new RawDecoder(
                new TaskValidator(),
                new TenantSource(mode, "hivestream.tasks", "hivestream-tenant"));
    }

    private static ByteBuffer utf8(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aTenantRecordInJsonDecodesWithEveryLimit() {
        String json =
                "{\"tenant\":\"acme\",\"budgetUsdPerDay\":5.0,\"budgetUsdPerMonth\":100,"
                        + "\"tokensPerDay\":200000,\"tasksPerSecond\":2.5,\"burst\":10,"
                        + "\"maxInFlight\":8,\"capabilities\":[\"chat\",\"math\"],"
                        + "\"agents\":[\"gpt\"],\"tools\":[\"calculator\"],\"preference\":\"cost\"}";
        Tenant tenant = new RawDecoder(new TaskValidator()).decodeTenant(raw("t", json, Map.of()));
        assertThat(tenant)
                .isEqualTo(
                        Tenant.newBuilder()
                                .setTenant("acme")
                                .setBudgetUsdPerDay(5.0)
                                .setBudgetUsdPerMonth(100.0)
                                .setTokensPerDay(200_000L)
                                .setTasksPerSecond(2.5)
                                .setBurst(10)
                                .setMaxInFlight(8)
                                .setCapabilities(List.of("chat", "math"))
                                .setAgents(List.of("gpt"))
                                .setTools(List.of("calculator"))
                                .setPreference("cost")
                                .build());
        Tenant free =
                new RawDecoder(new TaskValidator())
                        .decodeTenant(raw("t", "{\"tenant\":\"free\"}", Map.of()));
        assertThat(free.getBudgetUsdPerDay()).isNull();
        assertThat(free.getTasksPerSecond()).isNull();
        assertThat(free.getMaxInFlight()).isNull();
    }

    @Test
    void unknownFieldsAndBadValuesAreRefusedWithTheFieldNamed() {
        RawDecoder decoder = new RawDecoder(new TaskValidator());
        assertThatThrownBy(
                        () ->
                                decoder.decodeTenant(
                                        raw(
                                                "t",
                                                "{\"tenant\":\"acme\",\"budgetPerDay\":5}",
                                                Map.of())))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("unknown field(s) [budgetPerDay]");
        assertThatThrownBy(
                        () ->
                                decoder.decodeTenant(
                                        raw(
                                                "t",
                                                "{\"tenant\":\"acme\",\"budgetUsdPerDay\":-1,"
                                                        + "\"burst\":0,\"maxInFlight\":0,"
                                                        + "\"tasksPerSecond\":0,"
                                                        + "\"tokensPerDay\":-5,"
                                                        + "\"agents\":[\" \"],"
                                                        + "\"preference\":\"fast\"}",
                                                Map.of())))
                .isInstanceOf(CodecException.class)
                .hasMessage(
                        "invalid tenant acme: budgetUsdPerDay is -1.0; must be 0 or more;"
                                + " tokensPerDay is -5; must be 0 or more;"
                                + " tasksPerSecond is 0.0; must be a positive number;"
                                + " burst is 0; must be 1 or more;"
                                + " maxInFlight is 0; must be 1 or more;"
                                + " agents contains a blank entry;"
                                + " preference is 'fast'; must be quality, balanced, cost or a"
                                + " number in [0, 1]");
        assertThatThrownBy(
                        () ->
                                decoder.decodeTenant(
                                        raw("t", "{\"tenant\":\"acme\",\"burst\":3}", Map.of())))
                .hasMessage(
                        "invalid tenant acme: burst is set without tasksPerSecond; set both or neither");
        assertThatThrownBy(() -> decoder.decodeTenant(raw("t", "{\"tenant\":\" \"}", Map.of())))
                .hasMessage("invalid tenant  : tenant is blank");
    }

    @Test
    void theBodysTenantStandsByDefault() {
        Task task =
                decoder(TenantSource.Mode.BODY)
                        .decodeTask(raw("hivestream.tasks", FORGED, Map.of()));
        assertThat(task.getTenant()).isEqualTo("victim");
    }

    @Test
    void aForgedTenantFieldIsIgnoredWhenTheTopicNamesTheTenant() {
        RawDecoder decoder = decoder(TenantSource.Mode.TOPIC);
        assertThat(decoder.decodeTask(raw("hivestream.tasks.acme", FORGED, Map.of())).getTenant())
                .isEqualTo("acme");
        // Avro bodies too.
        Task avro = Codecs.TASK.fromJson(FORGED);
        RawRecord record =
                RawRecord.newBuilder()
                        .setTopic("hivestream.tasks.acme")
                        .setPartition(0)
                        .setOffset(4)
                        .setValue(ByteBuffer.wrap(Codecs.TASK.encodeAvro(avro)))
                        .build();
        assertThat(decoder.decodeTask(record).getTenant()).isEqualTo("acme");
        // The job's own topic (subtasks of plans) keeps the field.
        assertThat(decoder.decodeTask(raw("hivestream.tasks", FORGED, Map.of())).getTenant())
                .isEqualTo("victim");
        assertThatThrownBy(() -> decoder.decodeTask(raw("other.tasks", FORGED, Map.of())))
                .isInstanceOf(CodecException.class)
                .hasMessage(
                        "topic other.tasks is not hivestream.tasks or hivestream.tasks.TENANT, so it"
                                + " names no tenant");
    }

    @Test
    void aForgedTenantFieldIsIgnoredWhenATrustedHeaderNamesTheTenant() {
        RawDecoder decoder = decoder(TenantSource.Mode.HEADER);
        Task task =
                decoder.decodeTask(
                        raw("hivestream.tasks", FORGED, Map.of("hivestream-tenant", utf8("acme"))));
        assertThat(task.getTenant()).isEqualTo("acme");
        assertThatThrownBy(() -> decoder.decodeTask(raw("hivestream.tasks", FORGED, Map.of())))
                .isInstanceOf(CodecException.class)
                .hasMessage(
                        "the record has no hivestream-tenant header; with the tenant taken from a"
                                + " header, a trusted producer must set it on every task");
    }

    @Test
    void anAgentsRateLimitsMustBePositive() {
        RawDecoder decoder = new RawDecoder(new TaskValidator());
        String agent = "{\"agentId\":\"gpt\",\"rateLimitRpm\":600,\"rateLimitTpm\":90000}";
        assertThat(decoder.decodeAgent(raw("a", agent, Map.of())).getRateLimitTpm())
                .isEqualTo(90_000);
        assertThatThrownBy(
                        () ->
                                decoder.decodeAgent(
                                        raw(
                                                "a",
                                                "{\"agentId\":\"gpt\",\"rateLimitRpm\":0}",
                                                Map.of())))
                .isInstanceOf(CodecException.class)
                .hasMessage(
                        "invalid agent gpt: rateLimitRpm is 0; must be 1 or more (leave it out for no"
                                + " limit)");
        // Both wrong: the requests' limit is named, always.
        assertThatThrownBy(
                        () ->
                                decoder.decodeAgent(
                                        raw(
                                                "a",
                                                "{\"agentId\":\"gpt\",\"rateLimitTpm\":-1,"
                                                        + "\"rateLimitRpm\":0}",
                                                Map.of())))
                .hasMessage(
                        "invalid agent gpt: rateLimitRpm is 0; must be 1 or more (leave it out for no"
                                + " limit)");
        assertThatThrownBy(
                        () ->
                                decoder.decodeAgent(
                                        raw(
                                                "a",
                                                "{\"agentId\":\"gpt\",\"rateLimitTpm\":0}",
                                                Map.of())))
                .hasMessage(
                        "invalid agent gpt: rateLimitTpm is 0; must be 1 or more (leave it out for no"
                                + " limit)");
    }
}
