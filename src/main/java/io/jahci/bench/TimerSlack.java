package io.jahci.bench;

import com.sun.jna.Native;

/**
 * {@code prctl(PR_SET_TIMERSLACK, 1)} for the calling thread, so a timed park wakes as close to its
 * deadline as the kernel can manage instead of up to the default 50 us late. The C baseline's
 * stimulus does the same, so both stimuli sleep the same way.
 */
final class TimerSlack {
    private static final int PR_SET_TIMERSLACK = 29;

    static {
        Native.register(TimerSlack.class, "c");
    }

    private TimerSlack() {}

    private static native int prctl(int option, long arg2, long arg3, long arg4, long arg5);

    /** Returns false if the kernel refused (the stimulus then sleeps with the default slack). */
    static boolean setOneNanosecond() {
        return prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0) == 0;
    }
}
