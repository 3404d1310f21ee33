package dev.gpuop.node.agent;

import dev.gpuop.gpu.Gpu;
import dev.gpuop.node.mig.DefaultMigLayouts;
import dev.gpuop.node.mig.InvalidMigConfigException;
import dev.gpuop.node.mig.MigLayoutPlan;
import dev.gpuop.node.mig.MigPartedConfig;
import dev.gpuop.node.mig.MigReconfigurer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * NVIDIA's MIG manager, in the agent: when the node's {@code nvidia.com/mig.config} label names a layout of the
 * mig-parted config, the layout is planned against the GPUs (a layout that cannot be applied is refused whole, and
 * the node keeps its layout and workloads), then applied with the device plugin paused, and the device plugin
 * resumes with the new MIG devices. The node says where it is in NVIDIA's {@code nvidia.com/mig.config.state}:
 * {@code pending} while planned and applied, {@code success}, or {@code failed} with the reason in the annotation
 * {@code gpuop.dev/mig.config.reason}. NVIDIA's {@code rebooting} never appears: gpuop does not reboot hosts; a
 * mode that waits for a reboot is {@code failed} with the reason, and applied when the agent starts after the boot.
 * A failed layout is tried again when the state label is removed (or another layout is named).
 */
final class MigConfigWatch {

    private static final System.Logger LOG = System.getLogger(MigConfigWatch.class.getName());
    /** NVIDIA's node label that names the layout. */
    static final String CONFIG_LABEL = "nvidia.com/mig.config";
    /** NVIDIA's node label for where the change is. */
    static final String STATE_LABEL = "nvidia.com/mig.config.state";
    /** Why the last change failed (empty after a success). */
    static final String REASON_ANNOTATION = "gpuop.dev/mig.config.reason";

    /** What the watch needs of the agent: the GPUs with the device plugin stopped, then the parts back. */
    interface Agent {

        /** Stops the parts that hold the GPUs' devices (device plugin, health, metrics); returns the GPUs. */
        List<Gpu> pause();

        /** Reads the GPUs again and starts the stopped parts with the new devices. */
        void resume();
    }

    /** Writes the node's state label and reason annotation. */
    interface NodeState {

        void write(String state, String reason) throws IOException, InterruptedException;
    }

    private final Path configFile;
    private final Agent agent;
    private final NodeState node;
    private String applied;
    private volatile String problem;

    /** @param configFile the mig-parted config, or null for the layouts made from the node's GPUs */
    MigConfigWatch(Path configFile, Agent agent, NodeState node) {
        this.configFile = configFile;
        this.agent = agent;
        this.node = node;
    }

    /** The node state writer that patches this node through the API server. */
    static NodeState patching(ApiServerClient api, String nodeName) {
        return (state, reason) -> {
            Map<String, Object> metadata = new HashMap<>();
            metadata.put("labels", Map.of(STATE_LABEL, state));
            metadata.put("annotations", Map.of(REASON_ANNOTATION, reason));
            api.patchNodeMetadata(nodeName, metadata);
        };
    }

    /** Why the last change failed, or null. */
    String problem() {
        return problem;
    }

    /**
     * Applies the layout the labels name, when it is not the one this agent applied last (the labels are heard in
     * order on one thread, so changes never overlap).
     *
     * @param gpus the GPUs as they are now, to plan against
     * @return the outcome, empty when there was nothing to do
     */
    synchronized Optional<MigReconfigurer.Outcome> onLabels(Map<String, String> labels, List<Gpu> gpus)
        throws InterruptedException {
        String name = labels == null ? null : labels.get(CONFIG_LABEL);
        String state = labels == null ? null : labels.get(STATE_LABEL);
        // the same name again is tried again only when its state label was removed (how a user retries)
        if (name == null || name.isBlank() || name.equals(applied) && state != null) {
            return Optional.empty();
        }
        applied = name;
        MigLayoutPlan plan;
        try {
            List<dev.gpuop.gpu.GpuInfo> infos = gpus.stream().map(Gpu::info).toList();
            String source = configFile == null ? DefaultMigLayouts.SOURCE : configFile.toString();
            MigPartedConfig config = configFile == null ? DefaultMigLayouts.forGpus(infos)
                : MigPartedConfig.parse(Files.readString(configFile), source);
            plan = MigLayoutPlan.of(config, name, infos, source);
        } catch (IOException e) {
            return Optional.of(fail("the mig-parted config cannot be read: " + e));
        } catch (InvalidMigConfigException e) {
            return Optional.of(fail(CONFIG_LABEL + "=" + name + " refused, the MIG layout is kept: "
                + e.getMessage()));
        }
        MigReconfigurer.Outcome outcome;
        if (MigReconfigurer.changes(plan, gpus).isEmpty()) {
            // the GPUs have the layout already (an agent restart): a write only if the state says otherwise
            problem = null;
            if (!"success".equals(state)) {
                write("success", "");
            }
            return Optional.of(MigReconfigurer.apply(plan, gpus));
        } else {
            LOG.log(System.Logger.Level.INFO, "MIG layout {0}: changing GPUs {1}, device plugin paused", name,
                MigReconfigurer.changes(plan, gpus).stream().map(MigLayoutPlan.GpuLayout::gpuIndex).toList());
            write("pending", "");
            List<Gpu> paused = agent.pause();
            try {
                outcome = MigReconfigurer.apply(plan, paused);
            } finally {
                agent.resume();
            }
        }
        if (outcome.state() != MigReconfigurer.State.SUCCESS) {
            return Optional.of(fail(CONFIG_LABEL + "=" + name + ": " + outcome.message()));
        }
        problem = null;
        LOG.log(System.Logger.Level.INFO, "MIG layout {0} applied: {1}", name, outcome.message());
        write("success", "");
        return Optional.of(outcome);
    }

    private MigReconfigurer.Outcome fail(String why) throws InterruptedException {
        problem = why;
        LOG.log(System.Logger.Level.WARNING, why);
        write("failed", why);
        return new MigReconfigurer.Outcome(MigReconfigurer.State.FAILED, why, List.of());
    }

    private void write(String state, String reason) throws InterruptedException {
        try {
            node.write(state, reason);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot write " + STATE_LABEL + "=" + state + ": " + e.getMessage());
        }
    }
}
