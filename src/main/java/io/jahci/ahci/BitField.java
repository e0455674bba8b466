package io.jahci.ahci;

/**
 * A named field of {@code width} bits starting at bit {@code shift} of a 32-bit register value.
 *
 * <p>One generic type serves every register of the package: holder classes such as {@link PortCmd}
 * declare their fields as constants, and code reads and writes register values through them instead
 * of through hand-written masks and shifts. Instances are immutable and allocate nothing.
 */
public final class BitField {
    private final String name;
    private final int shift;
    private final int width;
    private final int mask;

    /**
     * @param name  the field's name as the specification spells it (used in diagnostics)
     * @param shift the position of the field's least significant bit, 0..31
     * @param width the number of bits, 1..32 - shift
     */
    public BitField(String name, int shift, int width) {
        if (shift < 0 || shift > 31) {
            throw new IllegalArgumentException(name + ": shift " + shift + " outside 0..31");
        }
        if (width < 1 || shift + width > 32) {
            throw new IllegalArgumentException(
                    name + ": width " + width + " does not fit at shift " + shift);
        }
        this.name = name;
        this.shift = shift;
        this.width = width;
        this.mask = (int) (((1L << width) - 1) << shift);
    }

    /** The field's value in {@code reg}, shifted down to bit 0. */
    public int get(int reg) {
        return (reg & mask) >>> shift;
    }

    /**
     * {@code reg} with this field replaced by {@code value}.
     *
     * @throws IllegalArgumentException if {@code value} does not fit in {@link #width()} bits
     */
    public int with(int reg, int value) {
        if (width < 32 && (value >>> width) != 0) {
            throw new IllegalArgumentException(
                    name + " value " + Integer.toUnsignedString(value) + " does not fit in "
                            + width + " bit(s)");
        }
        return (reg & ~mask) | (value << shift);
    }

    /** Whether the field is non-zero in {@code reg} (for a single-bit field: whether the bit is set). */
    public boolean isSet(int reg) {
        return (reg & mask) != 0;
    }

    /** The field's bits in place in the register. */
    public int mask() {
        return mask;
    }

    public String name() {
        return name;
    }

    public int shift() {
        return shift;
    }

    public int width() {
        return width;
    }

    /**
     * A human-readable decoding of {@code reg} for diagnostics: the names of the set single-bit fields
     * and {@code NAME=value} for the non-zero wider fields, in the order given, separated by spaces;
     * e.g. {@code "ST FRE FR CR"} or {@code "ICC=1 FRE"}.
     */
    public static String describe(int reg, BitField... fields) {
        StringBuilder text = new StringBuilder();
        for (BitField field : fields) {
            if (!field.isSet(reg)) {
                continue;
            }
            if (text.length() > 0) {
                text.append(' ');
            }
            text.append(field.name);
            if (field.width > 1) {
                text.append('=').append(Integer.toUnsignedString(field.get(reg)));
            }
        }
        return text.toString();
    }

    @Override
    public String toString() {
        return width == 1
                ? name + "[" + shift + "]"
                : name + "[" + (shift + width - 1) + ":" + shift + "]";
    }
}
