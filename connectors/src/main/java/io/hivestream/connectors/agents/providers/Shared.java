package io.hivestream.connectors.agents.providers;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One object shared by whoever holds it: made when the first holder asks for it, stopped when the
 * last one gives it back, and made anew for the next.
 */
final class Shared<T> {
    private final Supplier<T> make;
    private final Consumer<T> stop;
    private T value;
    private int holders;

    Shared(Supplier<T> make, Consumer<T> stop) {
        this.make = make;
        this.stop = stop;
    }

    /** The shared object, held until {@link #release(Object)}. */
    synchronized T acquire() {
        if (value == null) {
            value = make.get();
        }
        holders++;
        return value;
    }

    /**
     * Gives back what {@link #acquire()} returned; the last holder's release stops it.
     *
     * @throws IllegalStateException for an object that is not the one held
     */
    synchronized void release(T held) {
        if (held != value || holders == 0) {
            throw new IllegalStateException("released an object that is not held");
        }
        holders--;
        if (holders == 0) {
            value = null;
            stop.accept(held);
        }
    }

    synchronized int holders() {
        return holders;
    }
}
