package dev.gpuop.api.v1alpha1;

/** NVIDIA's driver container, and how gpuop moves nodes to a new one ({@code upgradePolicy}). */
public class DriverSpec extends ComponentSpec {

    private DriverUpgradePolicySpec upgradePolicy;

    /** NVIDIA's {@code driver.upgradePolicy}; absent: NVIDIA's chart defaults. */
    public DriverUpgradePolicySpec getUpgradePolicy() {
        return upgradePolicy;
    }

    public void setUpgradePolicy(DriverUpgradePolicySpec upgradePolicy) {
        this.upgradePolicy = upgradePolicy;
    }

    /** The upgrade policy, or one with every field absent (each then takes NVIDIA's default). */
    public DriverUpgradePolicySpec upgradePolicy() {
        return upgradePolicy == null ? new DriverUpgradePolicySpec(null, null, null, null, null, null) : upgradePolicy;
    }
}
