package dev.gpuop.node.cdi;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * A Container Device Interface spec file (CDI 1.1.0 field names): the devices of one kind and the edits a
 * container gets when it asks for them by fully-qualified name ({@code nvidia.com/gpu=0}).
 *
 * @param cdiVersion the lowest spec version that has every field used (older readers reject newer versions)
 * @param kind {@code vendor/class}, e.g. {@code nvidia.com/gpu}
 * @param devices the devices, each with its own edits
 * @param containerEdits edits applied once when any device of the spec is requested
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"cdiVersion", "kind", "devices", "containerEdits"})
public record CdiSpec(String cdiVersion, String kind, List<CdiDevice> devices, ContainerEdits containerEdits) {

    public CdiSpec {
        devices = List.copyOf(devices);
    }

    /** The spec file name the CDI library's {@code GenerateSpecName} gives: {@code nvidia.com-gpu}. */
    public String fileBaseName() {
        return kind.replace('/', '-');
    }
}
