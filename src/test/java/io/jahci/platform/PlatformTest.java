package io.jahci.platform;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The libc bindings against the real kernel. */
class PlatformTest {
    @Test
    void eventfdCountsSignalsAndEpollSeesThem() throws Exception {
        try (EventFd a = EventFd.create(); EventFd b = EventFd.createNonBlocking(); Epoll epoll = new Epoll()) {
            epoll.addReadable(a.fd());
            epoll.addReadable(b.fd());
            assertEquals(-1, epoll.await(0), "nothing signalled yet");
            assertEquals(0, b.drain(), "a non-blocking drain of an unsignalled eventfd returns 0");
            b.signal();
            b.signal();
            b.signal();
            assertEquals(b.fd(), epoll.await(1000));
            assertEquals(3, b.drain());
            a.signal();
            assertEquals(a.fd(), epoll.await(1000));
            assertEquals(1, a.drain());
        }
    }

    @Test
    void failuresNameTheCallTheSubjectAndTheErrno() {
        NativeException e = assertThrows(NativeException.class, () -> Linux.open("/nonexistent/jahci", Linux.O_RDONLY));
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals("ENOENT", e.errnoName());
        assertEquals("open(/nonexistent/jahci) failed: ENOENT (no such file or directory)", e.getMessage());
        assertEquals("errno 4095", Errno.name(4095));
    }

    @Test
    void mmapAndMunmapAnonymousMemory() throws Exception {
        long address = Linux.mmap(8192, Linux.PROT_READ | Linux.PROT_WRITE, Linux.MAP_PRIVATE | Linux.MAP_ANONYMOUS,
                -1, 0, "anonymous");
        com.sun.jna.Pointer p = new com.sun.jna.Pointer(address);
        p.setInt(4096, 0x12345678);
        assertEquals(0x12345678, p.getInt(4096));
        Linux.munmap(address, 8192);
    }
}
