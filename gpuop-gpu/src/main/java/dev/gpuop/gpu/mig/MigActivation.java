package dev.gpuop.gpu.mig;

import dev.gpuop.gpu.MigMode;
import dev.gpuop.gpu.NvmlReturn;

/**
 * What {@code nvmlDeviceSetMigMode} did: the mode now, and the activation's status. The driver records the wanted
 * mode as pending and activates it by resetting the GPU; that fails with {@code IN_USE} while a process holds the
 * GPU, and with {@code RESET_REQUIRED} where the platform exposes no reset (pass-through VMs): the mode then stays
 * pending until the GPU is reset another way (a reboot).
 *
 * @param mode   the MIG mode after the call
 * @param status {@code SUCCESS} when the wanted mode is current
 */
public record MigActivation(MigMode mode, NvmlReturn status) {

    public boolean activated() {
        return status == NvmlReturn.SUCCESS;
    }
}
