package io.jahci.examples;

import io.jahci.disk.Controller;
import io.jahci.disk.DeviceSpec;
import io.jahci.disk.Disk;
import io.jahci.disk.DiskIdentity;
import io.jahci.disk.OpenOptions;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Opens a disk image through QEMU's AHCI model, identifies the disk, writes 8 sectors at LBA 2048,
 * flushes, reads them back and compares. Run it with the image's path (a raw file, for example one
 * made by {@code truncate -s 64M disk.img}); it needs qemu-system-x86_64 on the PATH.
 */
public final class LibraryExample {
    public static void main(String[] args) throws IOException {
        OpenOptions options = OpenOptions.builder().allowWrite(true).build();
        // PortException (an IOException) if a command fails; ControllerLostException if the controller is gone
        try (Controller controller = Controller.open(DeviceSpec.parse("qemu:" + args[0]), options)) {
            Disk disk = controller.disk(0);
            DiskIdentity id = disk.identity();
            System.out.printf("%s, serial %s: %d sectors of %d bytes, queue depth %d%n",
                    id.model(), id.serial(), disk.sectors(), disk.sectorSize(), disk.queueDepth());

            ByteBuffer out = ByteBuffer.allocateDirect(8 * disk.sectorSize());
            while (out.hasRemaining()) {
                out.put((byte) (out.position() * 31));
            }
            out.flip();
            disk.write(2048, out);          // moves all 8 sectors: out's position is now its limit
            disk.flush();                   // FLUSH CACHE EXT: the write is durable

            ByteBuffer in = ByteBuffer.allocateDirect(out.capacity());
            disk.read(2048, in);            // fills it: in's position is now its limit
            boolean same = in.flip().equals(out.flip());
            System.out.println(same ? "read back the 8 sectors written" : "read back something else");
        }                                   // close(): stops the ports and QEMU
    }
}
