package dev.gpuop.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.List;

/**
 * What every operand section shares (NVIDIA repeats these fields in each): whether it runs, its image, pull
 * settings, resources, environment and arguments. Sections with more fields extend it.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class ComponentSpec {

    private Boolean enabled;
    private String repository;
    private String image;
    private String version;
    private String imagePullPolicy;
    private List<String> imagePullSecrets;
    private ResourceRequirements resources;
    private List<EnvVar> env;
    private List<String> args;

    /** Whether the operand runs, given the default for an absent value. */
    public boolean enabledOr(boolean dflt) {
        return enabled == null ? dflt : enabled;
    }

    public Boolean getEnabled() {
        return enabled;
    }

    public void setEnabled(Boolean enabled) {
        this.enabled = enabled;
    }

    public String getRepository() {
        return repository;
    }

    public void setRepository(String repository) {
        this.repository = repository;
    }

    public String getImage() {
        return image;
    }

    public void setImage(String image) {
        this.image = image;
    }

    public String getVersion() {
        return version;
    }

    public void setVersion(String version) {
        this.version = version;
    }

    public String getImagePullPolicy() {
        return imagePullPolicy;
    }

    public void setImagePullPolicy(String imagePullPolicy) {
        this.imagePullPolicy = imagePullPolicy;
    }

    public List<String> getImagePullSecrets() {
        return imagePullSecrets == null ? List.of() : imagePullSecrets;
    }

    public void setImagePullSecrets(List<String> imagePullSecrets) {
        this.imagePullSecrets = imagePullSecrets;
    }

    public ResourceRequirements getResources() {
        return resources;
    }

    public void setResources(ResourceRequirements resources) {
        this.resources = resources;
    }

    public List<EnvVar> getEnv() {
        return env == null ? List.of() : env;
    }

    public void setEnv(List<EnvVar> env) {
        this.env = env;
    }

    public List<String> getArgs() {
        return args == null ? List.of() : args;
    }

    public void setArgs(List<String> args) {
        this.args = args;
    }
}
