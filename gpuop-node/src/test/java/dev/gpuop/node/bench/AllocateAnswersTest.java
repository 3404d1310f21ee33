package dev.gpuop.node.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpuop.node.deviceplugin.v1beta1.AllocateResponse;
import dev.gpuop.node.deviceplugin.v1beta1.CDIDevice;
import dev.gpuop.node.deviceplugin.v1beta1.ContainerAllocateResponse;
import dev.gpuop.node.deviceplugin.v1beta1.DeviceSpec;
import org.junit.jupiter.api.Test;

class AllocateAnswersTest {

    private static AllocateResponse answer(ContainerAllocateResponse.Builder c) {
        return AllocateResponse.newBuilder().addContainerResponses(c).build();
    }

    @Test
    void eachKeyedEntryIsComparedWithItsCounterpart() {
        AllocateResponse nvidia = answer(ContainerAllocateResponse.newBuilder()
            .putEnvs("NVIDIA_VISIBLE_DEVICES", "GPU-1")
            .putAnnotations("cdi.k8s.io/nvidia-device-plugin_0b5c1a52-3f0e-4c41-9a57-2f3a1d3c9e11",
                "k8s.device-plugin.nvidia.com/gpu=GPU-1")
            .addDevices(DeviceSpec.newBuilder().setContainerPath("/dev/nvidia0").setHostPath("/dev/nvidia0")
                .setPermissions("rw")));
        AllocateResponse gpuop = answer(ContainerAllocateResponse.newBuilder()
            .putEnvs("NVIDIA_VISIBLE_DEVICES", "GPU-1").putEnvs("GPUOP_X", "1")
            .putAnnotations("cdi.k8s.io/nvidia-device-plugin_7d0b9a1e-55aa-4f6c-8e0d-1c2b3a4d5e6f",
                "k8s.device-plugin.nvidia.com/gpu=GPU-2")
            .addDevices(DeviceSpec.newBuilder().setContainerPath("/dev/nvidia0").setHostPath("/dev/nvidia0")
                .setPermissions("rw"))
            .addCdiDevices(CDIDevice.newBuilder().setName("nvidia.com/gpu=0")));

        assertThat(AllocateAnswers.lines(nvidia, gpuop)).extracting(l -> l.field() + " " + l.key() + " "
            + l.verdict()).containsExactly(
                "envs GPUOP_X only gpuop",
                "envs NVIDIA_VISIBLE_DEVICES same",
                "devices /dev/nvidia0 same",
                "annotations cdi.k8s.io/nvidia-device-plugin_<uuid> differs",
                "cdi_devices nvidia.com/gpu=0 only gpuop");
    }

    @Test
    void anAnswerWithoutContainerResponsesHasNoEntries() {
        AllocateResponse nvidia = answer(ContainerAllocateResponse.newBuilder().putEnvs("A", "1"));
        assertThat(AllocateAnswers.lines(nvidia, AllocateResponse.getDefaultInstance()))
            .extracting(AllocateAnswers.Line::verdict).containsExactly("only nvidia");
        AllocateResponse none = AllocateResponse.getDefaultInstance();
        assertThat(AllocateAnswers.compare(none, none)).contains("both answers are empty");
    }
}
