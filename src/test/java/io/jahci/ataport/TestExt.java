package io.jahci.ataport;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The channel extension of {@link TestMiniport}: the channel, and what each routine saw. */
final class TestExt {
    final Channel<TestExt> channel;
    final Map<String, Seen> seen = new ConcurrentHashMap<>();
    /** Data shared by the ISR and synchronized routines: plain fields, so unsynchronized updates get lost. */
    long shared;
    long isrCalls;

    TestExt(Channel<TestExt> channel) {
        this.channel = channel;
    }

    void record(String routine) {
        seen.put(routine, Seen.now(channel, this));
    }
}
