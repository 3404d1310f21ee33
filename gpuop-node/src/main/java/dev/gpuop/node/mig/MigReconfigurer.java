package dev.gpuop.node.mig;

import dev.gpuop.gpu.Gpu;
import dev.gpuop.gpu.GpuException;
import dev.gpuop.gpu.MigMode;
import dev.gpuop.gpu.NvmlReturn;
import dev.gpuop.gpu.mig.GpuInstance;
import dev.gpuop.gpu.mig.MigActivation;
import dev.gpuop.gpu.mig.MigControl;
import dev.gpuop.gpu.mig.MigLayout;
import dev.gpuop.gpu.mig.MigProfile;
import dev.gpuop.gpu.mig.MigProfileTable;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies a {@link MigLayoutPlan} to the node's GPUs through the driver. GPUs that already have their planned mode
 * and profiles are not touched (a restart of the agent changes nothing). Before anything changes, every GPU to be
 * changed must be free of processes: a GPU client is never killed for a MIG change. A GPU whose change fails part
 * way is put back to the instances it had. A mode change the driver cannot activate without a reboot (a platform
 * that exposes no GPU reset) leaves the mode pending: gpuop never reboots a host, it says so and applies the
 * layout after the next boot.
 */
public final class MigReconfigurer {

    /** How a change ended. */
    public enum State {
        /** Every GPU has the planned layout. */
        SUCCESS,
        /** Nothing or only part could be changed; {@link Outcome#message} says which GPU and why. */
        FAILED,
        /** A MIG mode is pending until the host reboots; the instances follow after the boot. */
        REBOOT_NEEDED
    }

    /**
     * The result of a change.
     *
     * @param state   how it ended
     * @param message what happened, naming GPUs and profiles
     * @param changed the GPUs whose layout changed (their MIG devices are new)
     */
    public record Outcome(State state, String message, List<Integer> changed) {

        public Outcome {
            changed = List.copyOf(changed);
        }
    }

    private MigReconfigurer() {
    }

    /** The GPUs of the plan whose mode or profiles differ from what they have now. */
    public static List<MigLayoutPlan.GpuLayout> changes(MigLayoutPlan plan, List<Gpu> gpus) {
        return plan.gpus().stream().filter(l -> !hasLayout(gpus.get(l.gpuIndex()), l)).toList();
    }

    private static boolean hasLayout(Gpu gpu, MigLayoutPlan.GpuLayout l) {
        if (gpu.info().migMode() == null) {
            return !l.migEnabled(); // a GPU without MIG has MIG off, and the plan never asks more of it
        }
        MigControl control = gpu.migControl();
        MigMode mode = control.mode();
        if (mode.current() != l.migEnabled() || mode.pending() != l.migEnabled()) {
            return false;
        }
        if (!l.migEnabled()) {
            return true;
        }
        List<Integer> have = control.gpuInstances().stream().map(GpuInstance::nvmlProfileId).sorted().toList();
        List<Integer> want = l.instances().stream().map(p -> p.profile().nvmlProfileId()).sorted().toList();
        return have.equals(want);
    }

    /** Applies the plan: checks every GPU to change for processes, then changes them one after the other. */
    public static Outcome apply(MigLayoutPlan plan, List<Gpu> gpus) {
        List<MigLayoutPlan.GpuLayout> todo = changes(plan, gpus);
        if (todo.isEmpty()) {
            return new Outcome(State.SUCCESS, "every GPU already has this layout", List.of());
        }
        for (MigLayoutPlan.GpuLayout l : todo) {
            int processes = gpus.get(l.gpuIndex()).migControl().processes();
            if (processes > 0) {
                return new Outcome(State.FAILED, "GPU " + l.gpuIndex() + " runs " + processes + " GPU process"
                    + (processes == 1 ? "" : "es") + "; MIG layouts kept, nothing changed (stop them, then remove "
                    + "the node label nvidia.com/mig.config.state to try again)", List.of());
            }
        }
        List<Integer> changed = new ArrayList<>();
        Outcome reboot = null;
        for (MigLayoutPlan.GpuLayout l : todo) {
            Gpu gpu = gpus.get(l.gpuIndex());
            Outcome one = applyOne(gpu, l);
            if (one.state() == State.REBOOT_NEEDED) {
                // the other GPUs' modes are set pending too, so that one reboot applies them all
                reboot = reboot == null ? one : reboot;
                continue;
            }
            if (one.state() != State.SUCCESS) {
                return new Outcome(one.state(), one.message(), changed);
            }
            changed.add(l.gpuIndex());
        }
        if (reboot != null) {
            return new Outcome(State.REBOOT_NEEDED, reboot.message(), changed);
        }
        return new Outcome(State.SUCCESS, "changed GPU" + (changed.size() == 1 ? " " : "s ") + changed, changed);
    }

    private static Outcome applyOne(Gpu gpu, MigLayoutPlan.GpuLayout l) {
        MigControl control = gpu.migControl();
        String name = "GPU " + l.gpuIndex() + " (" + gpu.info().name() + ")";
        List<GpuInstance> before = control.mode().current() ? control.gpuInstances() : List.of();
        try {
            if (!l.migEnabled()) {
                before.forEach(control::destroy);
                return activate(control, false, name);
            }
            if (!control.mode().current() || !control.mode().pending()) {
                Outcome activated = activate(control, true, name);
                if (activated.state() != State.SUCCESS) {
                    return activated;
                }
                before = control.gpuInstances();
            }
            before.forEach(control::destroy);
            List<GpuInstance> created = new ArrayList<>();
            try {
                for (MigLayout.Placement p : l.instances()) {
                    created.add(control.create(p.profile(), p.start()));
                }
            } catch (GpuException e) {
                created.forEach(control::destroy);
                restore(gpu, control, before);
                return new Outcome(State.FAILED, name + ": " + e.getMessage() + "; its instances were put back",
                    List.of());
            }
            return new Outcome(State.SUCCESS, name, List.of(l.gpuIndex()));
        } catch (GpuException e) {
            return new Outcome(State.FAILED, name + ": " + e.getMessage(), List.of());
        }
    }

    private static Outcome activate(MigControl control, boolean enabled, String name) {
        MigActivation a = control.setMode(enabled);
        if (a.activated()) {
            return new Outcome(State.SUCCESS, name, List.of());
        }
        String mode = enabled ? "on" : "off";
        if (a.status() == NvmlReturn.ERROR_RESET_REQUIRED) {
            return new Outcome(State.REBOOT_NEEDED, name + ": MIG mode " + mode + " is pending until the GPU is "
                + "reset, which this platform only does at a reboot; gpuop does not reboot hosts: reboot the node "
                + "and the layout is applied when the agent starts", List.of());
        }
        return new Outcome(State.FAILED, name + ": MIG mode " + mode + " not activated: " + a.status().cName()
            + (a.status() == NvmlReturn.ERROR_IN_USE ? " (a process holds the GPU)" : ""), List.of());
    }

    /** Puts back instances a failed change destroyed (best effort: the GPU had them a moment ago). */
    private static void restore(Gpu gpu, MigControl control, List<GpuInstance> before) {
        List<MigProfile> table = MigProfileTable.forGpu(gpu.info().name(), gpu.info().memoryTotalBytes())
            .orElse(List.of());
        for (GpuInstance g : before) {
            table.stream().filter(p -> p.nvmlProfileId() == g.nvmlProfileId()).findFirst()
                .ifPresent(p -> control.create(p, g.start()));
        }
    }
}
