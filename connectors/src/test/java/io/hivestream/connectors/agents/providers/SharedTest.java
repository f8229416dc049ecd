package io.hivestream.connectors.agents.providers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SharedTest {
    private final AtomicInteger made = new AtomicInteger();
    private final List<String> stopped = new ArrayList<>();
    private final Shared<String> shared =
            new Shared<>(() -> "poster-" + made.incrementAndGet(), stopped::add);

    @Test
    void holdersShareOneObjectThatStopsWithTheLastRelease() {
        String first = shared.acquire();
        String second = shared.acquire();

        assertThat(second).isSameAs(first).isEqualTo("poster-1");
        assertThat(shared.holders()).isEqualTo(2);

        shared.release(first);
        assertThat(stopped).isEmpty();
        shared.release(second);
        assertThat(stopped).containsExactly("poster-1");
        assertThat(shared.holders()).isZero();

        assertThat(shared.acquire()).isEqualTo("poster-2");
        assertThat(shared.holders()).isEqualTo(1);
    }

    @Test
    void releasingWhatIsNotHeldIsRefused() {
        assertThatThrownBy(() -> shared.release("poster-1"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("released an object that is not held");
        String held = shared.acquire();
        shared.release(held);
        assertThatThrownBy(() -> shared.release(held))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("released an object that is not held");
        assertThat(stopped).containsExactly("poster-1");
    }
}
