package io.jahci.cli;

import io.jahci.disk.Controller;
import io.jahci.disk.Disk;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code jahci power}: the disk's power mode, and the commands that change it. */
@Command(name = "power", mixinStandardHelpOptions = true,
        description = "check: CHECK POWER MODE (as hdparm -C). idle: IDLE IMMEDIATE. standby: STANDBY IMMEDIATE "
                + "(spins down). sleep: SLEEP (the device then answers only to a reset; the next command on the "
                + "port brings it back with COMRESET).")
final class PowerCommand implements Callable<Integer> {
    enum Action { check, idle, standby, sleep }

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--port", required = true, paramLabel = "N", description = "Port of the disk.")
    int port;

    @Parameters(paramLabel = "check|idle|standby|sleep", description = "What to do.")
    Action action;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (Controller controller = main.open(false)) {
            Disk disk = controller.disk(port);
            switch (action) {
                case check -> out.printf("port %d: drive state is: %s%n", port, disk.checkPowerMode().words());
                case idle -> {
                    disk.idleImmediate();
                    out.printf("port %d: IDLE IMMEDIATE done; drive state is: %s%n", port, disk.checkPowerMode().words());
                }
                case standby -> {
                    disk.standbyImmediate();
                    out.printf("port %d: STANDBY IMMEDIATE done; drive state is: %s%n", port,
                            disk.checkPowerMode().words());
                }
                case sleep -> {
                    disk.sleep();
                    out.printf("port %d: SLEEP done: the device answers only to a reset now; the next command "
                            + "on this port brings it back with a COMRESET%n", port);
                }
            }
            return 0;
        }
    }
}
