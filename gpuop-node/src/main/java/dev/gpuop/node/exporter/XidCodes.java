package dev.gpuop.node.exporter;

import java.util.Map;

/**
 * The text of an XID for the {@code err_msg} label dcgm-exporter puts on {@code DCGM_FI_DEV_XID_ERRORS}: the XIDs of
 * NVIDIA's published XID catalog that a data-centre operator meets, worded as the catalog words them; any other code
 * reads {@code Unknown Error}, as dcgm-exporter writes a code its table lacks.
 */
final class XidCodes {

    static final String UNKNOWN = "Unknown Error";

    private static final Map<Integer, String> TEXT = Map.ofEntries(
        Map.entry(0, "No Error"),
        Map.entry(13, "Graphics Engine Exception"),
        Map.entry(31, "GPU memory page fault"),
        Map.entry(32, "Invalid or corrupted push buffer stream"),
        Map.entry(38, "Driver firmware error"),
        Map.entry(43, "GPU stopped processing"),
        Map.entry(45, "Preemptive cleanup, due to previous errors"),
        Map.entry(48, "Double Bit ECC Error"),
        Map.entry(61, "Internal micro-controller breakpoint/warning"),
        Map.entry(62, "Internal micro-controller halt"),
        Map.entry(63, "ECC page retirement or row remapping recording event"),
        Map.entry(64, "ECC page retirement or row remapper recording failure"),
        Map.entry(68, "Video processor exception"),
        Map.entry(69, "Graphics Engine class error"),
        Map.entry(74, "NVLINK Error"),
        Map.entry(79, "GPU has fallen off the bus"),
        Map.entry(92, "High single-bit ECC error rate"),
        Map.entry(94, "Contained ECC error"),
        Map.entry(95, "Uncontained ECC error"),
        Map.entry(119, "GSP RPC Timeout"),
        Map.entry(120, "GSP Error"));

    private XidCodes() {
    }

    /** The text for one code. */
    static String text(long code) {
        return code >= 0 && code <= Integer.MAX_VALUE ? TEXT.getOrDefault((int) code, UNKNOWN) : UNKNOWN;
    }
}
