package io.hivestream.connectors.agents.providers;

import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.Task;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PromptsTest {
    private static Task withRolePrompt(String prompt) {
        return task("t-1/s", "research", "Find it.")
                .setRole("researcher")
                .setMetadata(Map.of("role.system", prompt))
                .build();
    }

    @Test
    void theAgentsPromptComesFirstThenABlankLineThenTheRoles() {
        assertThat(Prompts.system("You work for Acme.", withRolePrompt("You are a researcher.")))
                .isEqualTo("You work for Acme.\n\nYou are a researcher.");
    }

    @Test
    void eitherPromptAloneIsTheSystemPrompt() {
        Task plain = task("t-1", "chat", "Hi").build();

        assertThat(Prompts.system("You work for Acme.", plain)).isEqualTo("You work for Acme.");
        assertThat(Prompts.system(null, withRolePrompt("You are a researcher.")))
                .isEqualTo("You are a researcher.");
        assertThat(Prompts.system("  ", withRolePrompt("You are a researcher.")))
                .isEqualTo("You are a researcher.");
        assertThat(Prompts.system("You work for Acme.", withRolePrompt(" ")))
                .isEqualTo("You work for Acme.");
    }

    @Test
    void withNeitherThereIsNoSystemPrompt() {
        assertThat(Prompts.system(null, task("t-1", "chat", "Hi").build())).isNull();
        assertThat(Prompts.system("", withRolePrompt(""))).isNull();
    }

    @Test
    void onlyAPlanningSubtaskWantsAJsonObject() {
        assertThat(
                        Prompts.wantsJsonObject(
                                task("t-1/plan", "plan", "x").setRole("planner").build()))
                .isTrue();
        assertThat(Prompts.wantsJsonObject(withRolePrompt("You are a researcher."))).isFalse();
        assertThat(
                        Prompts.wantsJsonObject(
                                task("t-1/synthesis", "synthesize", "x")
                                        .setRole("synthesizer")
                                        .build()))
                .isFalse();
        assertThat(Prompts.wantsJsonObject(task("t-1", "plan", "x").build())).isFalse();
    }
}
