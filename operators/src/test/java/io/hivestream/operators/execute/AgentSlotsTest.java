package io.hivestream.operators.execute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AgentSlotsTest {
    @Test
    void eachInstanceGetsAnEqualShareRoundedDownAndAtLeastOne() {
        assertThat(AgentSlots.perInstance(64, 4)).isEqualTo(16);
        assertThat(AgentSlots.perInstance(10, 4)).isEqualTo(2);
        assertThat(AgentSlots.perInstance(3, 4)).isEqualTo(1);
        assertThat(AgentSlots.perInstance(16, 1)).isEqualTo(16);
    }

    @Test
    void callsBeyondTheSlotsWaitAndAFreedSlotGoesToTheOldestWaitingCall() {
        AgentSlots<String> slots = new AgentSlots<>();
        assertThat(slots.tryAcquire("a", 2)).isTrue();
        assertThat(slots.tryAcquire("a", 2)).isTrue();
        assertThat(slots.tryAcquire("a", 2)).isFalse();
        slots.await("a", "third");
        slots.await("a", "fourth");
        // Another agent has its own slots.
        assertThat(slots.tryAcquire("b", 2)).isTrue();

        assertThat(slots.release("a", 2)).isEqualTo("third");
        assertThat(slots.inFlight("a")).isEqualTo(2);
        assertThat(slots.waiting("a")).isEqualTo(1);
        // A call arriving now does not overtake the one still waiting.
        assertThat(slots.tryAcquire("a", 3)).isFalse();

        assertThat(slots.release("a", 2)).isEqualTo("fourth");
        assertThat(slots.release("a", 2)).isNull();
        assertThat(slots.release("a", 2)).isNull();
        assertThat(slots.inFlight("a")).isZero();
        assertThat(slots.waiting()).isZero();
    }

    @Test
    void aFreedSlotGoesToTheFirstWaitingCallInRankThenToTheOldestOfItsRank() {
        // Ranked by the length of the name, longest first.
        AgentSlots<String> slots =
                new AgentSlots<>(java.util.Comparator.comparingInt(String::length).reversed());
        slots.tryAcquire("a", 1);
        slots.await("a", "b1");
        slots.await("a", "ccc1");
        slots.await("a", "b2");
        slots.await("a", "ccc2");

        assertThat(slots.release("a", 1)).isEqualTo("ccc1");
        assertThat(slots.release("a", 1)).isEqualTo("ccc2");
        assertThat(slots.release("a", 1)).isEqualTo("b1");
        assertThat(slots.release("a", 1)).isEqualTo("b2");
        assertThat(slots.release("a", 1)).isNull();
    }

    @Test
    void whenTheSlotsShrinkAFreedSlotIsNotHandedOn() {
        AgentSlots<String> slots = new AgentSlots<>();
        slots.tryAcquire("a", 2);
        slots.tryAcquire("a", 2);
        slots.await("a", "waiting");

        assertThat(slots.release("a", 1)).isNull();
        assertThat(slots.release("a", 1)).isEqualTo("waiting");
        assertThat(slots.inFlight("a")).isEqualTo(1);
    }

    @Test
    void releasingASlotNobodyHoldsIsAnError() {
        AgentSlots<String> slots = new AgentSlots<>();
        assertThatThrownBy(() -> slots.release("a", 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("no call of a holds a slot");
    }
}
