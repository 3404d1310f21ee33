package dev.gpuop.node.toolkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The toolkit step: plan, refuse bad input before touching anything, write atomically, have containerd load the
 * result, restart containerd the way the host runs it, and put the previous files back when it does not answer.
 */
public final class ToolkitInstaller {

    private final ContainerdSetup setup;
    private final Path stateDir;
    private final boolean restart;
    private final Duration restartTimeout;

    /**
     * @param setup the containerd found
     * @param stateDir where the previous files are kept for {@code uninstall}
     * @param restart restart containerd after a change
     * @param restartTimeout how long containerd may take to answer after the restart
     */
    public ToolkitInstaller(ContainerdSetup setup, Path stateDir, boolean restart, Duration restartTimeout) {
        this.setup = setup;
        this.stateDir = stateDir;
        this.restart = restart;
        this.restartTimeout = restartTimeout;
    }

    /** Adds the NVIDIA handlers; a second run with the same settings changes nothing and restarts nothing. */
    public ToolkitResult install(ToolkitSettings settings) {
        return install(settings, List.of());
    }

    /**
     * Adds the NVIDIA handlers and writes the extra files (the CDI spec) under the same safety and record.
     */
    public ToolkitResult install(ToolkitSettings settings, List<FileChange> extra) {
        ToolkitPlan planned = ToolkitPlanner.install(setup, settings);
        List<FileChange> all = new ArrayList<>(planned.changes());
        all.addAll(extra);
        ToolkitPlan plan = new ToolkitPlan(planned.strategy(), all, planned.checkRender(), planned.notes());
        ConfigVerifier verifier = new ConfigVerifier(setup.binary());
        for (FileChange c : plan.changes()) {
            if (c.after() != null && c.path().toString().endsWith(".toml")) {
                verifier.parse(c.path(), c.after());
            }
        }
        if (plan.checkRender() != null) {
            verifier.parse(setup.config(), plan.checkRender());
            String refused = verifier.loadText(plan.checkRender());
            if (refused != null) {
                throw new ToolkitException(setup.template(), "containerd would refuse the config "
                    + setup.distribution().id() + " renders from this template (" + refused + "); nothing was changed",
                    "fix the template (a table declared twice is the usual cause), then retry");
            }
        }
        if (plan.isNoop()) {
            return new ToolkitResult(plan.strategy(), List.of(), false, null, null, plan.notes());
        }
        ToolkitState state = ToolkitState.read(stateDir);
        ToolkitState next = state.with(plan.changes(), missingDirs(plan.changes()));
        return apply(plan.strategy(), plan.changes(), next, state, verifier, plan.notes());
    }

    /** Restores what install changed, and nothing else. */
    public ToolkitResult uninstall() {
        ToolkitState state = ToolkitState.read(stateDir);
        List<FileChange> changes = new ArrayList<>();
        for (ToolkitState.Entry e : state.files().reversed()) {
            Path path = Path.of(e.path());
            String current = ToolkitPlanner.read(path);
            boolean atOriginal = current == null ? e.original() == null : current.equals(e.original());
            if (atOriginal) {
                continue;
            }
            if (current == null || !ToolkitState.sha256(current).equals(e.writtenSha256())) {
                throw new ToolkitException(path, "changed since gpuop wrote it, so gpuop will not overwrite it; "
                    + "nothing was changed", "merge by hand: the content before gpuop is under \"original\" in "
                    + stateDir.resolve(ToolkitState.FILE) + "; then delete that file");
            }
            changes.add(new FileChange(path, current, e.original()));
        }
        ConfigVerifier verifier = new ConfigVerifier(setup.binary());
        if (changes.isEmpty()) {
            SafeFileWriter.delete(stateDir.resolve(ToolkitState.FILE));
            removeEmptyDirs(state.createdDirs());
            return new ToolkitResult(null, List.of(), false, null, null, List.of());
        }
        ToolkitResult result = apply(null, changes, ToolkitState.empty(), state, verifier, List.of());
        removeEmptyDirs(state.createdDirs());
        return result;
    }

    private ToolkitResult apply(ToolkitPlan.Strategy strategy, List<FileChange> changes, ToolkitState newState,
                                ToolkitState oldState, ConfigVerifier verifier, List<String> notes) {
        for (FileChange c : changes) {
            SafeFileWriter.checkWritable(c.path());
        }
        SafeFileWriter.checkWritable(stateDir.resolve(ToolkitState.FILE));
        ContainerdRestarter restarter = new ContainerdRestarter(setup.socket(), restartTimeout);
        boolean configChanged = changes.stream().anyMatch(c -> !c.path().toString().endsWith(".json"));
        RestartMethod method = restart && configChanged ? restarter.method() : null;
        List<Path> dirsCreated = missingDirs(changes);
        if (!Files.isDirectory(stateDir)) {
            dirsCreated.addAll(missingDirs(List.of(new FileChange(stateDir.resolve(ToolkitState.FILE), null, ""))));
        }
        // the state goes first: a crash after it still leaves the previous content on record
        if (!newState.isEmpty()) {
            newState.write(stateDir);
        }
        write(changes, false);
        boolean loadable = configChanged && strategy != ToolkitPlan.Strategy.TEMPLATE && Files.exists(setup.config());
        String refused = loadable ? verifier.load(setup.config()) : null;
        if (refused != null) {
            rollBack(changes, dirsCreated, oldState);
            throw new ToolkitException(setup.config(), "containerd refuses the new config (" + refused
                + "); the previous files are back", "report this to gpuop with the config attached");
        }
        if (newState.isEmpty()) {
            SafeFileWriter.delete(stateDir.resolve(ToolkitState.FILE));
        }
        Duration took = null;
        if (method != null) {
            try {
                took = restarter.restart(method);
            } catch (ContainerdDownException e) {
                rollBack(changes, dirsCreated, oldState);
                boolean back = restarter.recover(method);
                throw new ContainerdDownException(setup.socket(), "containerd did not come back with the new "
                    + "config (" + e.getMessage() + "); the previous config is back"
                    + (back ? " and containerd answers again" : " but containerd still does not answer"),
                    "look at containerd's log for why it did not start");
            }
        }
        return new ToolkitResult(strategy, changes.stream().map(FileChange::path).toList(),
            loadable && verifier.usesContainerd(), method, took, notes);
    }

    private static void write(List<FileChange> changes, boolean reverse) {
        for (FileChange c : reverse ? changes.reversed() : changes) {
            String content = reverse ? c.before() : c.after();
            if (content == null) {
                SafeFileWriter.delete(c.path());
            } else {
                SafeFileWriter.write(c.path(), content);
            }
        }
    }

    private void rollBack(List<FileChange> changes, List<Path> dirsCreated, ToolkitState oldState) {
        write(changes, true);
        if (oldState.isEmpty()) {
            SafeFileWriter.delete(stateDir.resolve(ToolkitState.FILE));
        } else {
            oldState.write(stateDir);
        }
        for (Path dir : dirsCreated.reversed()) {
            deleteIfEmpty(dir);
        }
    }

    private static List<Path> missingDirs(List<FileChange> changes) {
        List<Path> dirs = new ArrayList<>();
        for (FileChange c : changes) {
            Path dir = c.path().toAbsolutePath().getParent();
            while (dir != null && !Files.exists(dir) && !dirs.contains(dir)) {
                dirs.addFirst(dir);
                dir = dir.getParent();
            }
        }
        return dirs;
    }

    /** Directories install created are removed again once empty (deepest first). */
    private static void removeEmptyDirs(List<String> dirs) {
        for (String dir : dirs.reversed()) {
            if (Files.isDirectory(Path.of(dir))) {
                deleteIfEmpty(Path.of(dir));
            }
        }
    }

    private static void deleteIfEmpty(Path dir) {
        try (var entries = Files.list(dir)) {
            if (entries.findAny().isEmpty()) {
                Files.delete(dir);
            }
        } catch (java.io.IOException e) {
            // a directory we cannot list or remove stays; it holds nothing of ours
        }
    }
}
