package io.jahci.hw.pci;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * The two ways binding talks to the kernel: writing a sysfs attribute and loading a module.
 * {@link #SYSTEM} does it for real; tests give a fake that plays the kernel's part on a tree.
 */
public interface SysfsKernel {
    /** Writes {@code value} to the sysfs attribute {@code file} in one write. */
    void write(Path file, String value) throws IOException;

    /** Loads kernel module {@code module} (modprobe). */
    void loadModule(String module) throws IOException;

    SysfsKernel SYSTEM = new SysfsKernel() {
        @Override
        public void write(Path file, String value) throws IOException {
            try {
                Files.write(file, value.getBytes(StandardCharsets.US_ASCII), StandardOpenOption.WRITE);
            } catch (java.nio.file.AccessDeniedException e) {
                throw new IOException("no permission to write " + file + ": binding drivers needs root", e);
            } catch (IOException e) {
                throw new IOException("writing '" + value.strip() + "' to " + file + " failed: " + e.getMessage(), e);
            }
        }

        @Override
        public void loadModule(String module) throws IOException {
            Process p = new ProcessBuilder("modprobe", module).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            try {
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IOException("modprobe " + module + " did not finish within 60 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while loading " + module, e);
            }
            if (p.exitValue() != 0) {
                throw new IOException("modprobe " + module + " failed (exit " + p.exitValue() + ")"
                        + (output.isEmpty() ? "" : ": " + output) + "; is the module installed for this kernel?");
            }
        }
    };
}
