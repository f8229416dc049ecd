package io.hivestream.operators.cache;

import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.operators.lineage.TaskHash;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.Tier;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class CacheKeysTest {
    private static Task.Builder base() {
        return task("t-1", "classify", "I was charged twice.")
                .setTenant("acme")
                .setCapabilities(List.of("classify", "billing"))
                .setRole("triage")
                .setTier(Tier.EDGE)
                .setMetadata(Map.of("labels", "billing,shipping", "cache", "exact"));
    }

    private static String key(UnaryOperator<Task.Builder> change) {
        return CacheKeys.of(change.apply(base()).build());
    }

    /**
     * SHA-256 of str("hivestream/cache-request/1") str(tenant) str(kind) list(str, sorted
     * capabilities) opt(str, role) opt(enum, tier) str(input) map(metadata without cache), in the
     * encoding of docs/lineage.md; computed apart from this code.
     */
    @Test
    void theKeyIsTheTenantAndTheHashOfTheRequest() {
        assertThat(key(t -> t))
                .isEqualTo(
                        "c/acme/139369a4d98cd9245b6cab71b9c66c2642e127ba029128c3de31e9f94c7eeda3");
    }

    @Test
    void theSameRequestUnderAnotherTaskHasTheSameKey() {
        String key = key(t -> t);

        assertThat(
                        key(
                                t ->
                                        t.setTaskId("t-2")
                                                .setPriority(7)
                                                .setDeadline(99L)
                                                .setBudgetUsd(0.5)
                                                .setCreatedAt(5L)
                                                .setReplicas(1)
                                                .setParentId("p")
                                                .setRootId("r")))
                .isEqualTo(key);
        // Capabilities are a set, and the cache entry itself does not count.
        assertThat(key(t -> t.setCapabilities(List.of("billing", "classify")))).isEqualTo(key);
        assertThat(key(t -> t.setMetadata(Map.of("labels", "billing,shipping")))).isEqualTo(key);
        assertThat(key(t -> t.setMetadata(Map.of("labels", "billing,shipping", "cache", "EXACT"))))
                .isEqualTo(key);
        // Nor the hash of the task's record, which signed results carry and which differs always.
        assertThat(
                        key(
                                t ->
                                        t.setMetadata(
                                                Map.of(
                                                        "labels",
                                                        "billing,shipping",
                                                        TaskHash.KEY,
                                                        "ab".repeat(32)))))
                .isEqualTo(key);
    }

    @Test
    void everyFieldThatShapesTheRequestChangesTheKey() {
        String key = key(t -> t);

        assertThat(key(t -> t.setKind("chat"))).isNotEqualTo(key);
        assertThat(key(t -> t.setCapabilities(List.of("classify")))).isNotEqualTo(key);
        assertThat(key(t -> t.setRole(null))).isNotEqualTo(key);
        assertThat(key(t -> t.setRole("coder"))).isNotEqualTo(key);
        assertThat(key(t -> t.setTier(Tier.CLOUD))).isNotEqualTo(key);
        assertThat(key(t -> t.setTier(null))).isNotEqualTo(key);
        assertThat(key(t -> t.setInput("I was charged twice!"))).isNotEqualTo(key);
        assertThat(key(t -> t.setMetadata(Map.of("labels", "billing", "cache", "exact"))))
                .isNotEqualTo(key);
        assertThat(
                        key(
                                t ->
                                        t.setMetadata(
                                                Map.of(
                                                        "labels",
                                                        "billing,shipping",
                                                        "cache",
                                                        "exact",
                                                        "label.billing",
                                                        "money"))))
                .isNotEqualTo(key);
    }

    @Test
    void theSemanticClassIsTheKeyWithoutTheInput() {
        String semantic = CacheKeys.classOf(base().build());

        assertThat(semantic).startsWith("acme/").hasSize("acme/".length() + 64);
        assertThat(CacheKeys.classOf(base().setInput("Why was I billed twice?").build()))
                .isEqualTo(semantic);
        assertThat(CacheKeys.classOf(base().setMetadata(Map.of("cache", "semantic")).build()))
                .isNotEqualTo(semantic);
        assertThat(CacheKeys.classOf(base().setKind("chat").build())).isNotEqualTo(semantic);
        assertThat(CacheKeys.classOf(base().setTier(Tier.CLOUD).build())).isNotEqualTo(semantic);
        assertThat(CacheKeys.classOf(base().setTenant("beta").build())).isNotEqualTo(semantic);
        assertThat(
                        CacheKeys.classOf(
                                base().setMetadata(
                                                Map.of(
                                                        "labels",
                                                        "billing,shipping",
                                                        "cache",
                                                        "off"))
                                        .build()))
                .isEqualTo(semantic);
    }

    @Test
    void anotherTenantHasAnotherKey() {
        String other = key(t -> t.setTenant("beta"));

        assertThat(other).startsWith("c/beta/");
        assertThat(other.substring("c/beta/".length()))
                .isNotEqualTo(key(t -> t).substring("c/acme/".length()));
    }

    @Test
    void fieldsDoNotRunIntoEachOther() {
        // The same characters split differently between role and input.
        assertThat(key(t -> t.setRole("ab").setInput("c")))
                .isNotEqualTo(key(t -> t.setRole("a").setInput("bc")));
        assertThat(key(t -> t.setCapabilities(List.of("ab", "c"))))
                .isNotEqualTo(key(t -> t.setCapabilities(List.of("a", "bc"))));
    }

    @Test
    void onlyCacheKeysStartWithThePrefix() {
        assertThat(CacheKeys.isCacheKey(key(t -> t))).isTrue();
        assertThat(CacheKeys.isCacheKey("t/c/x")).isFalse();
        assertThat(CacheKeys.isCacheKey("s/acme/c/")).isFalse();
    }

    private static AgentEvent.Builder agent() {
        return AgentEvent.newBuilder()
                .setAgentId("gpt-mini")
                .setRuntime("openai")
                .setModel("gpt-4o-mini")
                .setBaseUrl("http://127.0.0.1:8000/v1")
                .setMaxTokens(256)
                .setParams(Map.of("system", "Be brief.", "temperature", "0"))
                .setCapabilities(List.of("chat"));
    }

    private static String fingerprint(UnaryOperator<AgentEvent.Builder> change) {
        return CacheKeys.agent(change.apply(agent()).build());
    }

    @Test
    void theAgentFingerprintCoversWhatShapesItsRequest() {
        String fingerprint = fingerprint(a -> a);

        assertThat(fingerprint).matches("[0-9a-f]{64}");
        assertThat(fingerprint(a -> a.setAgentId("gpt-mini-2"))).isNotEqualTo(fingerprint);
        assertThat(fingerprint(a -> a.setRuntime("anthropic"))).isNotEqualTo(fingerprint);
        assertThat(fingerprint(a -> a.setModel("gpt-4o"))).isNotEqualTo(fingerprint);
        assertThat(fingerprint(a -> a.setModel(null))).isNotEqualTo(fingerprint);
        assertThat(fingerprint(a -> a.setBaseUrl("http://127.0.0.1:8001/v1")))
                .isNotEqualTo(fingerprint);
        assertThat(fingerprint(a -> a.setMaxTokens(512))).isNotEqualTo(fingerprint);
        assertThat(fingerprint(a -> a.setMaxTokens(null))).isNotEqualTo(fingerprint);
        assertThat(fingerprint(a -> a.setParams(Map.of("system", "Be brief.", "temperature", "1"))))
                .isNotEqualTo(fingerprint);
    }

    @Test
    void theAgentFingerprintIgnoresWhatDoesNotShapeItsRequest() {
        String fingerprint = fingerprint(a -> a);

        assertThat(
                        fingerprint(
                                a ->
                                        a.setTier(Tier.CLOUD)
                                                .setCostPer1kInputTokens(1)
                                                .setCostPer1kOutputTokens(2)
                                                .setMaxConcurrency(3)
                                                .setTimeoutMs(4)
                                                .setTimestamp(5L)
                                                .setHeartbeatIntervalMs(6L)
                                                .setTenants(List.of("acme"))
                                                .setCapabilities(List.of("chat", "code"))
                                                .setApiKeyEnv("KEY")))
                .isEqualTo(fingerprint);
    }
}
