package io.jahci.cli;

import io.jahci.ahci.AtaFeature;
import io.jahci.ahci.IdentifyData;
import io.jahci.disk.Controller;
import io.jahci.disk.Disk;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code jahci set}: SET FEATURES, then the setting as a fresh IDENTIFY DEVICE reads it back. */
@Command(name = "set", mixinStandardHelpOptions = true,
        description = "Switch the disk's volatile write cache and/or read look-ahead (SET FEATURES), then print "
                + "each setting as a fresh IDENTIFY DEVICE reads it back. Exit 1 when a setting does not read "
                + "back as asked (or the device does not support it).")
final class SetCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--port", required = true, paramLabel = "N", description = "Port of the disk.")
    int port;

    /** A setting's value on the command line. */
    enum OnOff { on, off }

    @Option(names = "--write-cache", paramLabel = "on|off", description = "SET FEATURES 02h (on) or 82h (off).")
    OnOff writeCache;

    @Option(names = "--read-lookahead", paramLabel = "on|off", description = "SET FEATURES AAh (on) or 55h (off).")
    OnOff readLookAhead;

    @Override
    public Integer call() throws Exception {
        if (writeCache == null && readLookAhead == null) {
            throw new Main.UsageException("set needs --write-cache on|off and/or --read-lookahead on|off");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Controller controller = main.open(false)) {
            Disk disk = controller.disk(port);
            if (writeCache != null) {
                disk.setWriteCache(writeCache == OnOff.on);
            }
            if (readLookAhead != null) {
                disk.setReadLookAhead(readLookAhead == OnOff.on);
            }
            IdentifyData id = disk.identifyNow();
            boolean asked = true;
            if (writeCache != null) {
                asked &= report(out, "write cache", AtaFeature.WRITE_CACHE, id, writeCache);
            }
            if (readLookAhead != null) {
                asked &= report(out, "read look-ahead", AtaFeature.READ_LOOK_AHEAD, id, readLookAhead);
            }
            return asked ? 0 : Main.FINDING;
        }
    }

    /** Prints the setting as IDENTIFY says it; returns whether it is what was asked for. */
    private boolean report(PrintWriter out, String name, AtaFeature feature, IdentifyData id, OnOff wanted) {
        if (!feature.supported(id)) {
            out.printf("port %d: %s: not supported by this device (IDENTIFY does not list it)%n", port, name);
            return false;
        }
        boolean on = feature.enabled(id);
        out.printf("port %d: %s: %s%n", port, name, onOff(on));
        return on == (wanted == OnOff.on);
    }

    private static String onOff(boolean on) {
        return on ? "on" : "off";
    }
}
