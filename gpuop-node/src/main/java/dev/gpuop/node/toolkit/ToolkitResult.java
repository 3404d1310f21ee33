package dev.gpuop.node.toolkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What an install or uninstall did.
 *
 * @param strategy where the handlers went (null for uninstall)
 * @param written the files written or deleted (empty: everything was already as wanted)
 * @param checkedWithContainerd whether containerd itself loaded the result before the restart
 * @param restart how containerd was restarted, null when it was not
 * @param restartTime from the restart until containerd answered again, null when not restarted
 * @param notes what the user should know
 */
public record ToolkitResult(ToolkitPlan.Strategy strategy, List<Path> written, boolean checkedWithContainerd,
                            RestartMethod restart, Duration restartTime, List<String> notes) {

    public ToolkitResult {
        written = List.copyOf(written);
        notes = List.copyOf(notes);
    }
}
