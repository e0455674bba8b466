package io.jahci.bench;

import com.sun.jna.Pointer;
import io.jahci.platform.Linux;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * 32-bit register and DMA-memory accessors on anonymous mmapped memory (a stand-in for a VFIO/UIO
 * BAR mapping or a DMA arena), to choose what the register window uses. One access per operation
 * at a fixed register-like offset.
 *
 * <ul>
 *   <li>JNA {@code Pointer.getInt/setInt}: a JNI call per access.
 *   <li>a direct {@code ByteBuffer} over the mapping ({@code Pointer.getByteBuffer}), little-endian
 *       {@code getInt/putInt}: plain accesses, which the JIT may merge, hoist or reorder.
 *   <li>{@code MethodHandles.byteBufferViewVarHandle(int[].class, LITTLE_ENDIAN)} on that buffer:
 *       {@code getVolatile/setVolatile} (what MMIO needs: every access happens, in order),
 *       {@code getOpaque/setOpaque} (every access happens, in program order per location, no fences)
 *       and {@code setRelease}.
 * </ul>
 *
 * Run (not part of {@code mvn verify}): see docs/performance.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RegisterAccessBenchmark {
    private static final long SIZE = 4096;
    private static final int OFFSET = 0x118; // PxCMD of port 0, for flavour
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private long address;
    private Pointer pointer;
    private ByteBuffer buffer;
    private int value = 0x0000c017;

    @Setup
    public void map() throws Exception {
        address = Linux.mmap(SIZE, Linux.PROT_READ | Linux.PROT_WRITE, Linux.MAP_PRIVATE | Linux.MAP_ANONYMOUS, -1, 0,
                "benchmark memory");
        pointer = new Pointer(address);
        buffer = pointer.getByteBuffer(0, SIZE).order(ByteOrder.LITTLE_ENDIAN);
        pointer.setInt(OFFSET, value);
    }

    @TearDown
    public void unmap() throws Exception {
        Linux.munmap(address, SIZE);
    }

    @Benchmark
    public int jnaPointerGetInt() {
        return pointer.getInt(OFFSET);
    }

    @Benchmark
    public void jnaPointerSetInt() {
        pointer.setInt(OFFSET, value++);
    }

    @Benchmark
    public int byteBufferGetInt() {
        return buffer.getInt(OFFSET);
    }

    @Benchmark
    public void byteBufferPutInt() {
        buffer.putInt(OFFSET, value++);
    }

    @Benchmark
    public int varHandleGetVolatile() {
        return (int) INT.getVolatile(buffer, OFFSET);
    }

    @Benchmark
    public void varHandleSetVolatile() {
        INT.setVolatile(buffer, OFFSET, value++);
    }

    @Benchmark
    public int varHandleGetOpaque() {
        return (int) INT.getOpaque(buffer, OFFSET);
    }

    @Benchmark
    public void varHandleSetOpaque() {
        INT.setOpaque(buffer, OFFSET, value++);
    }

    @Benchmark
    public void varHandleSetRelease() {
        INT.setRelease(buffer, OFFSET, value++);
    }
}
