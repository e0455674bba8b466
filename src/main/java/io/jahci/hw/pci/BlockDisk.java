package io.jahci.hw.pci;

import java.util.List;

/**
 * A disk the kernel drives on a controller, as sysfs shows it, and what holds it.
 *
 * @param name       the kernel's name, e.g. {@code sda}
 * @param port       the AHCI port it is on (the port jahci's {@code --port} names), or -1 when sysfs does not say
 * @param model      the model as the kernel reports it (SCSI INQUIRY, 16 characters), or empty
 * @param sizeBytes  its capacity
 * @param partitions its partitions, e.g. {@code [sda1, sda2]}
 * @param uses       why the disk must not be taken from the kernel, one phrase each, e.g.
 *                   {@code sda1 is mounted on /home (ext4)}; empty when it is free
 */
public record BlockDisk(String name, int port, String model, long sizeBytes, List<String> partitions,
                        List<String> uses) {
    public BlockDisk {
        partitions = List.copyOf(partitions);
        uses = List.copyOf(uses);
    }

    public boolean inUse() {
        return !uses.isEmpty();
    }
}
