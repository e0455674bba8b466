package io.jahci.ataport;

/** What a routine observed about its own execution context. */
record Seen(Thread thread, Irql irql, boolean interruptLock, boolean channelLock, Object extension) {
    static Seen now(Channel<?> channel, Object extension) {
        return new Seen(Thread.currentThread(), Irql.current(), channel.holdsInterruptLock(), channel.holdsChannelLock(),
                extension);
    }

    boolean onPortThread(String prefix) {
        return thread.getName().startsWith(prefix);
    }
}
