package io.jahci.miniport;

import io.jahci.ataport.Verifier;
import java.util.function.BooleanSupplier;

/**
 * Register polling with a deadline, for bring-up and recovery (never on the I/O hot path). Both
 * methods sleep, so both may only be called at PASSIVE (Control(StartChannel), the recovery work
 * item, the caller's thread); at DISPATCH or DIRQL they throw a
 * {@link io.jahci.ataport.VerifierException} (rule BLOCKING_CALL_AT_RAISED_LEVEL, Linux's
 * {@code might_sleep}) before sleeping, in every mode.
 */
final class Poll {
    private Poll() {}

    /** Checks {@code condition} every millisecond until it holds or {@code millis} pass. PASSIVE. */
    static boolean until(long millis, BooleanSupplier condition) {
        Verifier.mightSleep("Poll.until");
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return condition.getAsBoolean();
            }
            sleep(1);
        }
        return true;
    }

    /** Sleeps {@code millis} milliseconds. PASSIVE. */
    static void sleepMillis(long millis) {
        Verifier.mightSleep("Poll.sleepMillis");
        sleep(millis);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
