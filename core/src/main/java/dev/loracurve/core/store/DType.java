package dev.loracurve.core.store;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Safetensors element types. Floating types widen to float on read; integer types are not model weights here. */
public enum DType {
    F64(8),
    F32(4),
    F16(2),
    BF16(2),
    I64(8),
    I32(4),
    I16(2),
    I8(1),
    U8(1),
    BOOL(1),
    F8_E4M3(1),
    F8_E5M2(1);

    public final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** The dtype for a header string, or null when the string names no safetensors dtype. */
    public static DType parse(String s) {
        for (DType d : values()) {
            if (d.name().equals(s)) {
                return d;
            }
        }
        return null;
    }

    public boolean isReadableAsFloat() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }

    /** Widens {@code count} little-endian elements from {@code src} into {@code dst[at..]}. */
    void widen(ByteBuffer src, float[] dst, int at, int count) {
        ByteBuffer b = src.order(ByteOrder.LITTLE_ENDIAN);
        switch (this) {
            case F32 -> b.asFloatBuffer().get(dst, at, count);
            case F64 -> {
                for (int i = 0; i < count; i++) {
                    dst[at + i] = (float) b.getDouble(i * 8);
                }
            }
            // BF16 is the top half of an F32: shift it back into place.
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    dst[at + i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
                }
            }
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    dst[at + i] = halfToFloat(b.getShort(i * 2));
                }
            }
            default -> throw new IllegalStateException(this + " is not a floating type");
        }
    }

    /** IEEE 754 binary16 to binary32, subnormals, infinities and NaN included. */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) { // inf / nan
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            float v = mant * 0x1p-24f; // subnormal: mant * 2^-24
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
