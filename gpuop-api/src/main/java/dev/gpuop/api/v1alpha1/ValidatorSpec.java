package dev.gpuop.api.v1alpha1;

import java.util.List;

/** The node checks (driver, toolkit, CUDA, plugin); NVIDIA's per-component {@code env} lists are kept. */
public class ValidatorSpec extends ComponentSpec {

    private ValidatorComponent driver;
    private ValidatorComponent toolkit;
    private ValidatorComponent cuda;
    private ValidatorComponent plugin;

    public ValidatorComponent getDriver() {
        return driver;
    }

    public void setDriver(ValidatorComponent driver) {
        this.driver = driver;
    }

    public ValidatorComponent getToolkit() {
        return toolkit;
    }

    public void setToolkit(ValidatorComponent toolkit) {
        this.toolkit = toolkit;
    }

    public ValidatorComponent getCuda() {
        return cuda;
    }

    public void setCuda(ValidatorComponent cuda) {
        this.cuda = cuda;
    }

    public ValidatorComponent getPlugin() {
        return plugin;
    }

    public void setPlugin(ValidatorComponent plugin) {
        this.plugin = plugin;
    }

    /**
     * The environment of one check.
     *
     * @param env variables, as in {@link ComponentSpec#getEnv()}
     */
    public record ValidatorComponent(List<EnvVar> env) {
    }
}
