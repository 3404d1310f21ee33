package dev.gpuop.node.validation;

import dev.gpuop.node.toolkit.SafeFileWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * NVIDIA's status files in {@code /run/nvidia/validations}: a stage's file exists exactly while the stage passes (or
 * is not run here), written atomically, removed when it fails. {@code driver-ready} is the shell env file NVIDIA's
 * validator writes and its consumers {@code source}: where the driver's root is on the host and in the container.
 */
public final class ValidationFiles {

    private final Path dir;

    public ValidationFiles(Path dir) {
        this.dir = dir;
    }

    /**
     * Writes or removes each stage's file; the files changed.
     *
     * @param driverRootOnHost the driver's root as the host names it ({@code /}, or {@code /run/nvidia/driver})
     */
    public List<Path> apply(List<StageResult> results, String driverRootOnHost) throws IOException {
        Files.createDirectories(dir);
        List<Path> changed = new java.util.ArrayList<>();
        for (StageResult r : results) {
            Path file = dir.resolve(r.stage().file());
            if (r.ready()) {
                String text = r.stage() == ValidationStage.DRIVER ? driverEnv(driverRootOnHost) : "";
                if (!Files.exists(file) || !Files.readString(file).equals(text)) {
                    SafeFileWriter.write(file, text);
                    changed.add(file);
                }
            } else if (Files.deleteIfExists(file)) {
                changed.add(file);
            }
        }
        return changed;
    }

    /** NVIDIA's driver-ready content: the host driver's roots are {@code /} and {@code /host}. */
    static String driverEnv(String driverRootOnHost) {
        boolean host = driverRootOnHost == null || driverRootOnHost.equals("/");
        String root = host ? "/" : driverRootOnHost;
        String inContainer = host ? "/host" : "/driver-root";
        return "IS_HOST_DRIVER=" + host + "\nNVIDIA_DRIVER_ROOT=" + root + "\nDRIVER_ROOT_CTR_PATH=" + inContainer
            + "\nNVIDIA_DEV_ROOT=" + root + "\nDEV_ROOT_CTR_PATH=" + inContainer + "\n";
    }
}
