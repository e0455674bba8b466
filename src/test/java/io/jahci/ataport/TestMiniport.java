package io.jahci.ataport;

import java.util.function.BiPredicate;
import java.util.function.Predicate;

/**
 * A scriptable miniport: each routine records what it saw (thread, level, locks) into the
 * extension, then runs a replaceable hook. Hooks are fields so tests can swap them while the
 * channel runs; the defaults accept everything and claim every interrupt.
 */
class TestMiniport implements Miniport<TestExt> {
    private final boolean syncWithIsr;
    volatile Predicate<TestExt> onInterrupt = ext -> true;
    volatile BiPredicate<TestExt, IoRequest> onBuildIo = (ext, r) -> true;
    volatile BiPredicate<TestExt, IoRequest> onStartIo = (ext, r) -> true;
    volatile Predicate<TestExt> onInitialize = ext -> true;
    volatile Predicate<TestExt> onReset = ext -> true;
    volatile BiPredicate<TestExt, ControlAction> onControl = (ext, a) -> true;
    /** The completion poll of the polling modes; by default it finds nothing (the ISR completes). */
    volatile Predicate<TestExt> onPoll = ext -> false;
    /** When false the ISR records nothing (keeps it allocation-free). */
    volatile boolean recordInterrupts = true;
    /** When false BuildIo and StartIo record nothing (keeps a submit allocation-free). */
    volatile boolean recordRequests = true;

    TestMiniport(boolean syncWithIsr) {
        this.syncWithIsr = syncWithIsr;
    }

    @Override
    public TestExt channelInit(Channel<TestExt> channel, ChannelConfiguration configuration) {
        TestExt ext = new TestExt(channel);
        ext.record("channelInit");
        configuration.syncWithIsr(syncWithIsr);
        return ext;
    }

    @Override
    public boolean initialize(TestExt ext) {
        ext.record("initialize");
        return onInitialize.test(ext);
    }

    @Override
    public boolean buildIo(TestExt ext, IoRequest request) {
        if (recordRequests) {
            ext.record("buildIo");
        }
        return onBuildIo.test(ext, request);
    }

    @Override
    public boolean startIo(TestExt ext, IoRequest request) {
        if (recordRequests) {
            ext.record("startIo");
        }
        return onStartIo.test(ext, request);
    }

    @Override
    public boolean interrupt(TestExt ext) {
        if (recordInterrupts) {
            ext.record("interrupt");
        }
        return onInterrupt.test(ext);
    }

    @Override
    public boolean poll(TestExt ext) {
        return onPoll.test(ext);
    }

    @Override
    public boolean reset(TestExt ext) {
        ext.record("reset");
        return onReset.test(ext);
    }

    @Override
    public boolean control(TestExt ext, ControlAction action) {
        ext.record("control " + action);
        return onControl.test(ext, action);
    }
}
