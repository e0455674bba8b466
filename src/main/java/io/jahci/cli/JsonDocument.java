package io.jahci.cli;

import io.jahci.disk.Controller;
import io.jahci.disk.DeviceSpec;
import io.jahci.disk.Disk;
import io.jahci.platform.Json;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;

/**
 * The head every {@code --json} document of the CLI starts with (docs/json.md): {@code jahciVersion} (the pom's
 * version), {@code schema} (the document's layout version, raised when a key changes meaning or goes away) and,
 * where a device is involved, the {@code device} block naming it. Runs on the command's thread (PASSIVE).
 */
final class JsonDocument {
    private JsonDocument() {}

    /** {@code {"jahciVersion":…,"schema":…}}, to be completed by the command. */
    static Map<String, Object> start(int schema) {
        Map<String, Object> doc = Json.object();
        doc.put("jahciVersion", io.jahci.disk.Version.current());
        doc.put("schema", schema);
        return doc;
    }

    /** {@link #start} with the {@link #device} block of {@code controller} and {@code disk} (null: the controller). */
    static Map<String, Object> start(int schema, Controller controller, Disk disk) throws IOException {
        Map<String, Object> doc = start(schema);
        doc.put("device", device(controller, disk));
        return doc;
    }

    /**
     * {@code {"spec","transport","address","pciId","port","model","serial"}}: the {@code --device} spec, its transport
     * ({@code qemu}, {@code vfio}, {@code uio}), the controller's PCI address and vendor:device ID, and the disk's
     * port, model and serial (null for a document about the whole controller).
     */
    static Map<String, Object> device(Controller controller, Disk disk) throws IOException {
        Map<String, Object> pci = controller.pciIdentity();
        Map<String, Object> device = block(controller.spec());
        device.put("address", pci.get("address"));
        device.put("pciId", pci.get("vendorId") + ":" + pci.get("deviceId"));
        device.put("port", disk == null ? null : disk.port());
        device.put("model", disk == null ? null : disk.identity().model());
        device.put("serial", disk == null ? null : disk.identity().serial());
        return device;
    }

    /** The device block of a spec jahci did not open itself: spec and transport, the rest null. */
    static Map<String, Object> device(DeviceSpec spec) {
        Map<String, Object> device = block(spec);
        for (String key : new String[] {"address", "pciId", "port", "model", "serial"}) {
            device.put(key, null);
        }
        return device;
    }

    private static Map<String, Object> block(DeviceSpec spec) {
        Map<String, Object> device = Json.object();
        device.put("spec", spec.toString());
        device.put("transport", spec.kind().name().toLowerCase(Locale.ROOT));
        return device;
    }
}
