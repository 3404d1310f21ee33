package dev.gpuop.node.cdi;

/**
 * One device of a spec.
 *
 * @param name the unqualified name ({@code 0}, {@code GPU-...}, {@code 0:1}, {@code all})
 * @param containerEdits what the container gets for it; never empty (CDI loaders reject that)
 */
public record CdiDevice(String name, ContainerEdits containerEdits) {
}
