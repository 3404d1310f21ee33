package dev.gpuop.api.v1alpha1;

/**
 * The toolkit step: the {@code nvidia} runtime handler in containerd and the CDI spec, run as the node agent's init
 * container. Its {@code env} takes NVIDIA's names ({@code CONTAINERD_CONFIG}, {@code CONTAINERD_SOCKET}, ...); on
 * RKE2 and K3s none is needed.
 */
public class ToolkitSpec extends ComponentSpec {

    private String installDir;

    /** Where runtime binaries live on the host (default {@code /usr/local/nvidia}). */
    public String getInstallDir() {
        return installDir;
    }

    public void setInstallDir(String installDir) {
        this.installDir = installDir;
    }
}
