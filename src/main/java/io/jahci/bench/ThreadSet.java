package io.jahci.bench;

/**
 * The distinct threads that ran one stage, remembered without allocating: a fixed array that one
 * thread at a time appends to (the stage's own serialization guarantees that). Read after the run.
 */
final class ThreadSet {
    private final Thread[] threads = new Thread[16];
    private volatile int count;

    void add(Thread t) {
        int n = count;
        for (int i = 0; i < n; i++) {
            if (threads[i] == t) {
                return;
            }
        }
        if (n < threads.length) {
            threads[n] = t;
            count = n + 1;
        }
    }

    java.util.List<Thread> toList() {
        int n = count;
        java.util.List<Thread> out = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(threads[i]);
        }
        return out;
    }
}
