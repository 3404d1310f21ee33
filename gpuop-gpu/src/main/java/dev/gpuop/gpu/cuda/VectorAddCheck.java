package dev.gpuop.gpu.cuda;

/** Checks a device's sums against the host's, with the tolerance of the CUDA sample (1e-5). */
final class VectorAddCheck {

    static final float TOLERANCE = 1e-5f;

    private VectorAddCheck() {
    }

    /** Index of the first element where {@code c != a + b}, or -1. */
    static int firstMismatch(float[] a, float[] b, float[] c) {
        for (int i = 0; i < c.length; i++) {
            if (!(Math.abs(a[i] + b[i] - c[i]) <= TOLERANCE)) {
                return i;
            }
        }
        return -1;
    }

    /** Number of elements where {@code c != a + b}. */
    static int mismatches(float[] a, float[] b, float[] c) {
        int n = 0;
        for (int i = 0; i < c.length; i++) {
            if (!(Math.abs(a[i] + b[i] - c[i]) <= TOLERANCE)) {
                n++;
            }
        }
        return n;
    }
}
