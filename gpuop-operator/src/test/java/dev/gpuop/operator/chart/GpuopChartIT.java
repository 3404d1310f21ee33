package dev.gpuop.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.tuple;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import dev.gpuop.api.v1alpha1.ClusterPolicy;
import dev.gpuop.api.v1alpha1.ClusterPolicySpec;
import dev.gpuop.api.v1alpha1.ConfigRef;
import dev.gpuop.api.v1alpha1.DaemonsetsSpec;
import dev.gpuop.api.v1alpha1.DriverUpgradePolicySpec;
import dev.gpuop.api.v1alpha1.EnvVar;
import dev.gpuop.api.v1alpha1.MigSpec;
import dev.gpuop.api.v1alpha1.OperatorSpec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Helm chart {@code deploy/helm/gpuop}, rendered by the real Helm engine (helm-java) and read back as typed
 * objects: what {@code helm install} would send to the API server, checked field by field, and the ClusterPolicy
 * checked against the CRD the chart ships.
 */
class GpuopChartIT {

    private static final Path CHART = Path.of("../deploy/helm/gpuop");
    private static final Path CRD_FILE = CHART.resolve("crds/clusterpolicies.gpuop.dev.yaml");
    private static final String RELEASE = "gpuop";
    private static final String NAMESPACE = "gpu-operator";
    private static final String OPERATOR = "gpuop-operator";
    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");
    private static final List<String> SEED_FLAGS =
        List.of("operator.defaultRuntime=containerd", "driver.enabled=false", "toolkit.enabled=false");

    private final KubernetesSerialization serialization = new KubernetesSerialization();

    GpuopChartIT() {
        serialization.registerKubernetesResource(ClusterPolicy.class);
    }

    @Test
    void lintPassesStrict() {
        LintResult strict = new Helm(CHART).lint().strict().call();
        assertThat(strict.isFailed()).as("%s", strict.getMessages()).isFalse();
        assertThat(strict.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    @Test
    void seedInstallRendersTheOperatorAndAPolicyWithoutDriverAndToolkit() throws Exception {
        Rendered out = render(template(SEED_FLAGS));

        assertThat(out.kinds()).containsExactlyInAnyOrder("ServiceAccount", "ClusterRole", "ClusterRoleBinding",
            "Role", "RoleBinding", "Service", "Deployment", "ClusterPolicy");
        // the pre-delete hook (restore-nodes) is not part of helm template's output; ToolkitOnTheNodeE2E runs it
        ClusterPolicy policy = out.single(ClusterPolicy.class);
        assertThat(policy.getMetadata().getName()).isEqualTo(ClusterPolicy.DEFAULT_NAME);
        assertThat(policy.getApiVersion()).isEqualTo("gpuop.dev/v1alpha1");
        ClusterPolicySpec spec = policy.getSpec();
        assertThat(spec.getDriver().getEnabled()).isFalse();
        assertThat(spec.getToolkit().getEnabled()).isFalse();
        assertThat(spec.getToolkit().getInstallDir()).isEqualTo("/usr/local/nvidia");
        assertThat(spec.getOperator().defaultRuntime()).isEqualTo(OperatorSpec.ContainerRuntime.CONTAINERD);
        assertThat(spec.getOperator().runtimeClass()).isEqualTo("nvidia");
        assertThat(spec.getMig().strategy()).isEqualTo(MigSpec.Strategy.SINGLE);
        assertThat(spec.getCdi().enabled()).isTrue();
        assertThat(spec.getNfd().enabled()).isFalse();
        assertThat(spec.getDevicePlugin().getEnabled()).isTrue();
        assertThat(spec.getDevicePlugin().getConfig()).isNull();
        assertThat(spec.getGfd().getEnabled()).isTrue();
        assertThat(spec.getDcgmExporter().getEnabled()).isTrue();
        assertThat(spec.getMigManager().getEnabled()).isTrue();
        assertThat(spec.getMigManager().getConfig()).isEqualTo(new ConfigRef(null, "all-disabled"));
        // the node agent runs the MIG manager: no image of NVIDIA's is passed on
        assertThat(List.of(Optional.ofNullable(spec.getMigManager().getRepository()),
            Optional.ofNullable(spec.getMigManager().getImage()), Optional.ofNullable(spec.getMigManager()
                .getVersion()))).allMatch(Optional::isEmpty);
        assertThat(List.of(spec.getDriver().getRepository(), spec.getDriver().getImage(),
            spec.getDriver().getVersion())).containsExactly("nvcr.io/nvidia", "driver", "580.95.05");
        // empty nodeAgent/validator images stay out of the policy: the operator falls back to its own image
        assertThat(spec.nodeAgent().getImage()).isNull();
        assertThat(spec.validator().getImage()).isNull();
        DaemonsetsSpec daemonsets = spec.getDaemonsets();
        assertThat(daemonsets.tolerations()).singleElement().satisfies(t -> {
            assertThat(t.getKey()).isEqualTo("nvidia.com/gpu");
            assertThat(t.getOperator()).isEqualTo("Exists");
            assertThat(t.getEffect()).isEqualTo("NoSchedule");
        });
        assertThat(daemonsets.priorityClassName()).isEqualTo("system-node-critical");
        assertThat(daemonsets.updateStrategy()).isEqualTo(DaemonsetsSpec.UpdateStrategy.ROLLING_UPDATE);
        assertThat(daemonsets.rollingUpdate().maxUnavailable()).isEqualTo("1");
        assertThat(daemonsets.labels()).isNull();
        assertMatchesCrdSchema(out.rawPolicy());
    }

    @Test
    void operatorDeploymentRunsTheOperatorWithProbesPortsAndItsImageForTheNodeAgent() throws Exception {
        Rendered out = render(template(SEED_FLAGS));
        String image = "gpuop/gpuop:" + appVersion();

        Deployment deployment = out.single(Deployment.class);
        assertThat(deployment.getMetadata().getName()).isEqualTo(OPERATOR);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(podLabels).containsEntry("nvidia.com/gpu-driver-upgrade-drain.skip", "true")
            .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getServiceAccountName()).isEqualTo(OPERATOR);
        assertThat(pod.getServiceAccountName()).isEqualTo(out.single(ServiceAccount.class).getMetadata().getName());
        Container c = pod.getContainers().getFirst();
        assertThat(pod.getContainers()).hasSize(1);
        assertThat(c.getName()).isEqualTo(OPERATOR);
        assertThat(c.getImage()).isEqualTo(image);
        assertThat(c.getImagePullPolicy()).isEqualTo("IfNotPresent");
        assertThat(c.getCommand()).containsExactly("/opt/gpuop/bin/operator");
        assertThat(c.getArgs()).containsExactly("--namespace=$(OPERATOR_NAMESPACE)", "--log-level=info");
        assertThat(c.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("OPERATOR_NAMESPACE");
            assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.namespace");
        });
        assertThat(c.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("NODE_AGENT_IMAGE");
            assertThat(e.getValue()).isEqualTo(image);
        });
        assertThat(c.getPorts()).extracting(ContainerPort::getName, ContainerPort::getContainerPort)
            .containsExactlyInAnyOrder(tuple("metrics", 8080), tuple("health", 8081));
        assertHttpProbe(c.getLivenessProbe(), "/healthz", 15, 20);
        assertHttpProbe(c.getReadinessProbe(), "/readyz", 5, 10);
        assertThat(c.getResources().getRequests()).containsEntry("cpu", new Quantity("100m"))
            .containsEntry("memory", new Quantity("256Mi"));
        assertThat(c.getResources().getLimits()).containsOnlyKeys("memory")
            .containsEntry("memory", new Quantity("512Mi"));
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        String tmpVolume = c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp")).findFirst()
            .orElseThrow().getName();
        assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals(tmpVolume)).singleElement()
            .extracting(Volume::getEmptyDir).isNotNull();

        Service metrics = out.single(Service.class);
        assertThat(metrics.getMetadata().getName()).isEqualTo("gpuop-operator-metrics");
        assertThat(podLabels).containsAllEntriesOf(metrics.getSpec().getSelector());
        assertThat(metrics.getSpec().getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("metrics");
            assertThat(p.getPort()).isEqualTo(8080);
            assertThat(p.getTargetPort().getStrVal()).isEqualTo("metrics");
        });
    }

    @Test
    void operatorRbacIsExactlyWhatItNeedsAndBoundToItsServiceAccount() throws Exception {
        Rendered out = render(template(SEED_FLAGS));

        ClusterRole clusterRole = out.single(ClusterRole.class);
        assertThat(clusterRole.getMetadata().getName()).isEqualTo(OPERATOR);
        Set<String> granted = permissions(clusterRole.getRules());
        assertThat(granted).contains("/nodes:patch", "apps/daemonsets:create").noneMatch(p -> p.contains("*"));
        Set<String> expected = new TreeSet<>();
        String crud = "get list watch create update patch delete";
        grant(expected, "gpuop.dev", "clusterpolicies", "get list watch update patch");
        grant(expected, "gpuop.dev", "clusterpolicies/status", "get update patch");
        grant(expected, "gpuop.dev", "clusterpolicies/finalizers", "update");
        grant(expected, "", "nodes", "get list watch patch update");
        grant(expected, "apps", "daemonsets", crud);
        grant(expected, "apps", "controllerrevisions", "get list watch");
        // create: RBAC lets the operator grant only what it holds, and the node agent's Role creates its workload pod
        grant(expected, "", "pods", "get list watch create delete");
        // the driver upgrade's drain
        grant(expected, "", "pods/eviction", "create");
        grant(expected, "", "configmaps serviceaccounts services", crud);
        grant(expected, "rbac.authorization.k8s.io", "clusterroles clusterrolebindings roles rolebindings", crud);
        grant(expected, "node.k8s.io", "runtimeclasses", crud);
        grant(expected, "", "events", "create patch");
        grant(expected, "events.k8s.io", "events", "create patch");
        // exactly these: a rule added or widened without a reason here fails the test
        assertThat(granted).isEqualTo(expected);
        Role role = out.single(Role.class);
        assertThat(permissions(role.getRules())).containsExactlyInAnyOrder("coordination.k8s.io/leases:get",
            "coordination.k8s.io/leases:create", "coordination.k8s.io/leases:update",
            "coordination.k8s.io/leases:patch", "/events:create", "/events:patch", "events.k8s.io/events:create",
            "events.k8s.io/events:patch");

        ClusterRoleBinding clusterBinding = out.single(ClusterRoleBinding.class);
        assertBinding(clusterBinding.getRoleRef(), clusterBinding.getSubjects(), "ClusterRole");
        RoleBinding binding = out.single(RoleBinding.class);
        assertBinding(binding.getRoleRef(), binding.getSubjects(), "Role");
    }

    @Test
    void namespacedObjectsLandInTheReleaseNamespaceAndAllCarryTheChartLabels() throws Exception {
        Rendered out = render(template(SEED_FLAGS));

        for (HasMetadata o : out.objects()) {
            String what = o.getKind() + " " + o.getMetadata().getName();
            if (o instanceof Namespaced) {
                assertThat(o.getMetadata().getNamespace()).as(what).isEqualTo(NAMESPACE);
            } else {
                assertThat(o.getMetadata().getNamespace()).as(what).isNull();
            }
            assertThat(o.getMetadata().getLabels()).as(what).containsEntry("app.kubernetes.io/name", "gpuop")
                .containsEntry("app.kubernetes.io/instance", RELEASE)
                .containsEntry("app.kubernetes.io/managed-by", "Helm")
                .containsEntry("helm.sh/chart", "gpuop-" + chartVersion());
        }
        assertThat(out.objects()).filteredOn(o -> o instanceof Namespaced)
            .extracting(HasMetadata::getKind).contains("Deployment", "ServiceAccount", "Role", "Service");
        assertThat(out.single(ClusterPolicy.class)).isNotInstanceOf(Namespaced.class);
    }

    @Test
    void crdShipsInCrdsAndIsNotPartOfTheTemplates() throws Exception {
        // helm-java's template never passes --include-crds: crds/ is installed by `helm install` only
        assertThat(render(template(SEED_FLAGS)).kinds()).doesNotContain("CustomResourceDefinition");
        assertThat(render(template(SEED_FLAGS).skipCrds()).kinds()).doesNotContain("CustomResourceDefinition");

        CustomResourceDefinition crd = serialization.unmarshal(Files.readString(CRD_FILE),
            CustomResourceDefinition.class);
        assertThat(crd.getMetadata().getName()).isEqualTo("clusterpolicies.gpuop.dev");
        assertThat(crd.getSpec().getGroup()).isEqualTo(ClusterPolicy.GROUP);
        assertThat(crd.getSpec().getScope()).isEqualTo("Cluster");
        assertThat(crd.getSpec().getNames().getKind()).isEqualTo("ClusterPolicy");
        CustomResourceDefinitionVersion version = crd.getSpec().getVersions().getFirst();
        assertThat(version.getName()).isEqualTo(ClusterPolicy.VERSION);
        assertThat(version.getAdditionalPrinterColumns()).extracting(CustomResourceColumnDefinition::getName)
            .contains("Status", "GPU Nodes", "Ready Nodes");
    }

    @Test
    void nvidiaStyleSettingsFlowIntoThePolicyUnchanged() throws Exception {
        Rendered out = render(template(List.of(
            "toolkit.env[0].name=CONTAINERD_SOCKET",
            "toolkit.env[0].value=/run/k3s/containerd/containerd.sock",
            "devicePlugin.config.name=time-slicing",
            "devicePlugin.config.default=any",
            "devicePlugin.mps.root=/var/run/nvidia/mps",
            "mig.strategy=mixed",
            "cdi.enabled=false",
            "gfd.enabled=false",
            "nfd.enabled=true",
            // --set types these as boolean and number; the CRD takes strings
            "validator.plugin.env[0].name=WITH_WORKLOAD",
            "validator.plugin.env[0].value=false",
            "daemonsets.rollingUpdate.maxUnavailable=2",
            "driver.imagePullSecrets[0]=ngc-secret",
            // 0 is "no limit" and false is a setting: neither may be dropped on the way
            "driver.upgradePolicy.maxParallelUpgrades=0", "driver.upgradePolicy.gpuPodDeletion.force=true",
            "driver.upgradePolicy.drain.enable=true", "driver.upgradePolicy.drain.timeoutSeconds=0")));

        ClusterPolicySpec spec = out.single(ClusterPolicy.class).getSpec();
        assertThat(spec.getToolkit().getEnabled()).isTrue();
        assertThat(spec.getToolkit().getEnv())
            .containsExactly(new EnvVar("CONTAINERD_SOCKET", "/run/k3s/containerd/containerd.sock"));
        assertThat(spec.getDevicePlugin().getConfig()).isEqualTo(new ConfigRef("time-slicing", "any"));
        assertThat(spec.getDevicePlugin().mpsRoot()).isEqualTo("/var/run/nvidia/mps");
        assertThat(spec.getMig().strategy()).isEqualTo(MigSpec.Strategy.MIXED);
        assertThat(spec.getCdi().enabled()).isFalse();
        assertThat(spec.getCdi().isEnabled()).isFalse();
        assertThat(spec.getGfd().getEnabled()).isFalse();
        assertThat(spec.getNfd().isEnabled()).isTrue();
        assertThat(spec.getDriver().getEnabled()).isTrue();
        assertThat(spec.getDriver().getImagePullSecrets()).containsExactly("ngc-secret");
        DriverUpgradePolicySpec upgrade = spec.getDriver().upgradePolicy();
        assertThat(upgrade.maxParallelUpgrades()).isZero();
        assertThat(upgrade.autoUpgrade()).isTrue();
        assertThat(upgrade.maxUnavailable().getStrVal()).isEqualTo("25%");
        assertThat(upgrade.podDeletion()).isEqualTo(new DriverUpgradePolicySpec.PodDeletion(true, 300, false));
        assertThat(upgrade.drain()).isEqualTo(new DriverUpgradePolicySpec.Drain(true, false, null, 0, false));
        assertThat(upgrade.waitForCompletion()).isEqualTo(new DriverUpgradePolicySpec.WaitForCompletion(null, 0));
        assertThat(spec.getValidator().getPlugin().env()).containsExactly(new EnvVar("WITH_WORKLOAD", "false"));
        assertThat(spec.getValidator().getDriver()).isNull();
        assertThat(spec.getDaemonsets().rollingUpdate().maxUnavailable()).isEqualTo("2");
        // naming a ConfigMap does not create one
        assertThat(out.kinds()).doesNotContain("ConfigMap");
        assertMatchesCrdSchema(out.rawPolicy());
    }

    @Test
    void devicePluginConfigMapIsCreatedFromData(@TempDir Path dir) throws Exception {
        String timeSlicing = """
            version: v1
            sharing:
              timeSlicing:
                resources:
                  - name: nvidia.com/gpu
                    replicas: 4
            """;
        Path values = dir.resolve("values.yaml");
        Files.writeString(values, """
            devicePlugin:
              config:
                create: true
                name: time-slicing-config
                default: any
                data:
                  any: |
            """ + timeSlicing.indent(8));

        Rendered out = render(template(SEED_FLAGS).withValuesFile(values));

        ConfigMap config = out.single(ConfigMap.class);
        assertThat(config.getMetadata().getName()).isEqualTo("time-slicing-config");
        assertThat(config.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
        assertThat(config.getData()).containsOnlyKeys("any").containsEntry("any", timeSlicing);
        Map<?, ?> parsed = serialization.unmarshal(config.getData().get("any"), Map.class);
        assertThat(parsed.get("version")).isEqualTo("v1");
        assertThat(out.single(ClusterPolicy.class).getSpec().getDevicePlugin().getConfig())
            .isEqualTo(new ConfigRef("time-slicing-config", "any"));
    }

    @Test
    void devicePluginConfigCreateRefusesMissingNameOrData() {
        assertThatThrownBy(() -> template(List.of("devicePlugin.config.create=true",
            "devicePlugin.config.name=time-slicing-config")).call())
            .hasMessageContaining("devicePlugin.config.create=true needs devicePlugin.config.data");
        assertThatThrownBy(() -> template(List.of("devicePlugin.config.create=true",
            "devicePlugin.config.data.any=version: v1")).call())
            .hasMessageContaining("devicePlugin.config.create=true needs devicePlugin.config.name");
        assertThatThrownBy(() -> template(List.of("devicePlugin.config.create=true",
            "devicePlugin.config.name=time-slicing-config", "devicePlugin.config.default=other",
            "devicePlugin.config.data.any=version: v1")).call())
            .hasMessageContaining("devicePlugin.config.default \"other\" is not a key of devicePlugin.config.data");
    }

    /**
     * NVIDIA's dcgmExporter.serviceMonitor keys give NVIDIA's ServiceMonitor: same name, selector, port and job label,
     * in the release namespace, with the user's interval, labels and relabelings; off by default.
     */
    @Test
    void serviceMonitorValuesGiveNvidiasServiceMonitor() throws Exception {
        assertThat(template(SEED_FLAGS).call()).doesNotContain("kind: ServiceMonitor");
        List<String> flags = new ArrayList<>(SEED_FLAGS);
        flags.addAll(List.of("dcgmExporter.serviceMonitor.enabled=true", "dcgmExporter.serviceMonitor.interval=30s",
            "dcgmExporter.serviceMonitor.honorLabels=true",
            "dcgmExporter.serviceMonitor.additionalLabels.release=kube-prometheus-stack",
            "dcgmExporter.serviceMonitor.relabelings[0].targetLabel=instance",
            "dcgmExporter.serviceMonitor.relabelings[0].sourceLabels[0]=__meta_kubernetes_pod_node_name"));
        String yaml = template(flags).call();
        Map<?, ?> sm = DOCUMENT_SEPARATOR.splitAsStream(yaml).filter(d -> d.contains("kind: ServiceMonitor"))
            .map(d -> serialization.unmarshal(d, Map.class)).findFirst().orElseThrow();
        assertThat(sm.get("apiVersion")).isEqualTo("monitoring.coreos.com/v1");
        Map<?, ?> meta = (Map<?, ?>) sm.get("metadata");
        assertThat(meta.get("name")).isEqualTo("nvidia-dcgm-exporter");
        assertThat(meta.get("namespace")).isEqualTo(NAMESPACE);
        assertThat(meta.get("labels")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
            .containsEntry("app", "nvidia-dcgm-exporter")
            .containsEntry("release", "kube-prometheus-stack").containsEntry("app.kubernetes.io/instance", RELEASE);
        Map<?, ?> spec = (Map<?, ?>) sm.get("spec");
        assertThat(spec.get("jobLabel")).isEqualTo("app");
        assertThat(spec.get("selector")).isEqualTo(Map.of("matchLabels", Map.of("app", "nvidia-dcgm-exporter")));
        assertThat(spec.get("namespaceSelector")).isEqualTo(Map.of("matchNames", List.of(NAMESPACE)));
        Map<?, ?> endpoint = (Map<?, ?>) ((List<?>) spec.get("endpoints")).getFirst();
        assertThat(endpoint).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
            .containsEntry("port", "gpu-metrics").containsEntry("path", "/metrics")
            .containsEntry("interval", "30s").containsEntry("honorLabels", true);
        assertThat(endpoint.get("relabelings")).isEqualTo(List.of(Map.of("targetLabel", "instance",
            "sourceLabels", List.of("__meta_kubernetes_pod_node_name"))));
        // the Service it selects is the operator's: see PlannerTest
        List<String> off = new ArrayList<>(flags);
        off.add("dcgmExporter.enabled=false");
        assertThat(template(off).call()).doesNotContain("kind: ServiceMonitor");
    }

    /**
     * NVIDIA's image keys of the parts the node agent runs, as NVIDIA's values file has them, are refused, every one
     * named in one message (the first wave ran NVIDIA's toolkit image with gpuop's arguments).
     */
    @Test
    void aMistypedValueOfGpuopsOwnIsRefusedWithItsPath() {
        List<String> flags = new ArrayList<>(SEED_FLAGS);
        flags.addAll(List.of("toolkit.enabled=maybe", "nodeAgent.env[0].value=x", "devicePlugin.mps.root=run/mps"));
        assertThatThrownBy(() -> template(flags).call())
            .hasMessageContaining("at '/toolkit/enabled': got string, want boolean")
            .hasMessageContaining("/devicePlugin/mps/root")
            .hasMessageContaining("at '/nodeAgent/env/0': missing property 'name'");
    }

    @Test
    void nvidiasImageKeysOfThePartsTheNodeAgentRunsAreRefusedByName() {
        List<String> flags = new ArrayList<>(SEED_FLAGS);
        flags.addAll(List.of("toolkit.repository=nvcr.io/nvidia/k8s", "toolkit.image=container-toolkit",
            "toolkit.version=v1.18.0", "devicePlugin.version=v0.18.0", "gfd.image=k8s-device-plugin",
            "dcgmExporter.repository=nvcr.io/nvidia/k8s", "migManager.version=v0.15.0"));
        // values.schema.json: Helm lists every refusal, each with the key and why
        assertThatThrownBy(() -> template(flags).call())
            .hasMessageContaining("refused: toolkit.repository (one image runs the node agent parts: nodeAgent.*)")
            .hasMessageContaining("refused: toolkit.image (").hasMessageContaining("refused: toolkit.version (")
            .hasMessageContaining("refused: devicePlugin.version (").hasMessageContaining("refused: gfd.image (")
            .hasMessageContaining("refused: dcgmExporter.repository (")
            .hasMessageContaining("refused: migManager.version (");
        // empty values are what gpuop's own values file has: accepted
        List<String> empty = new ArrayList<>(SEED_FLAGS);
        empty.add("toolkit.repository=");
        assertThat(template(empty).call()).contains("kind: ClusterPolicy");
    }

    @Test
    void clusterPolicyCreateFalseRendersNoPolicy() throws Exception {
        Rendered out = render(template(List.of("clusterPolicy.create=false")));

        assertThat(out.kinds()).doesNotContain("ClusterPolicy").contains("Deployment", "ClusterRole");
        assertThat(out.rawPolicy()).isNull();
    }

    @Test
    void operatorSettingsReachTheDeployment() throws Exception {
        Rendered out = render(template(List.of("operator.leaderElection=false", "operator.logLevel=debug",
            "operator.image.repository=registry.example/gpuop", "operator.image.tag=dev",
            "operator.imagePullSecrets[0]=regcred", "operator.nodeSelector.kubernetes\\.io/os=linux",
            "operator.tolerations[0].key=node-role.kubernetes.io/control-plane",
            "operator.tolerations[0].operator=Exists")));

        PodSpec pod = out.single(Deployment.class).getSpec().getTemplate().getSpec();
        Container c = pod.getContainers().getFirst();
        assertThat(c.getArgs()).containsExactly("--namespace=$(OPERATOR_NAMESPACE)", "--log-level=debug",
            "--leader-elect=false");
        assertThat(c.getImage()).isEqualTo("registry.example/gpuop:dev");
        assertThat(c.getEnv()).filteredOn(e -> e.getName().equals("NODE_AGENT_IMAGE")).singleElement()
            .satisfies(e -> assertThat(e.getValue()).isEqualTo("registry.example/gpuop:dev"));
        assertThat(pod.getImagePullSecrets()).singleElement().satisfies(s -> assertThat(s.getName())
            .isEqualTo("regcred"));
        assertThat(pod.getNodeSelector()).containsExactly(Map.entry("kubernetes.io/os", "linux"));
        assertThat(pod.getTolerations()).extracting(Toleration::getKey)
            .containsExactly("node-role.kubernetes.io/control-plane");
    }

    // --- rendering and reading back

    private static TemplateCommand template(List<String> sets) {
        TemplateCommand t = new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE);
        for (String s : sets) {
            int eq = s.indexOf('=');
            t = t.set(s.substring(0, eq), s.substring(eq + 1));
        }
        return t;
    }

    /** Every document of the output as a typed object; the ClusterPolicy also as plain YAML for the schema check. */
    private Rendered render(TemplateCommand command) {
        String yaml = command.call();
        List<HasMetadata> objects = new ArrayList<>();
        Map<?, ?> rawPolicy = null;
        for (String doc : DOCUMENT_SEPARATOR.split(yaml)) {
            if (doc.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"))) {
                continue;
            }
            HasMetadata o = serialization.unmarshal(doc);
            assertThat(o).as("a known kind:%n%s", doc).isNotInstanceOf(GenericKubernetesResource.class);
            if (o instanceof ClusterPolicy) {
                assertThat(rawPolicy).as("one ClusterPolicy").isNull();
                rawPolicy = serialization.unmarshal(doc, Map.class);
            }
            objects.add(o);
        }
        return new Rendered(objects, rawPolicy);
    }

    private record Rendered(List<HasMetadata> objects, Map<?, ?> rawPolicy) {

        List<String> kinds() {
            return objects.stream().map(HasMetadata::getKind).toList();
        }

        <T extends HasMetadata> T single(Class<T> type) {
            List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
            assertThat(found).as(type.getSimpleName()).hasSize(1);
            return found.getFirst();
        }
    }

    private Map<?, ?> chartYaml() throws Exception {
        return serialization.unmarshal(Files.readString(CHART.resolve("Chart.yaml")), Map.class);
    }

    private String appVersion() throws Exception {
        return String.valueOf(chartYaml().get("appVersion"));
    }

    private String chartVersion() throws Exception {
        return String.valueOf(chartYaml().get("version"));
    }

    // --- RBAC

    /** Rules flattened to {@code group/resource:verb}. */
    private static Set<String> permissions(List<PolicyRule> rules) {
        Set<String> out = new TreeSet<>();
        for (PolicyRule r : rules) {
            assertThat(r.getResourceNames()).as("rules name no single objects").isEmpty();
            assertThat(r.getNonResourceURLs()).isEmpty();
            for (String group : r.getApiGroups()) {
                for (String resource : r.getResources()) {
                    for (String verb : r.getVerbs()) {
                        out.add(group + "/" + resource + ":" + verb);
                    }
                }
            }
        }
        return out;
    }

    private static void grant(Set<String> into, String group, String resources, String verbs) {
        for (String resource : resources.split(" ")) {
            for (String verb : verbs.split(" ")) {
                into.add(group + "/" + resource + ":" + verb);
            }
        }
    }

    private static void assertBinding(RoleRef ref, List<Subject> subjects, String kind) {
        assertThat(ref.getKind()).isEqualTo(kind);
        assertThat(ref.getName()).isEqualTo(OPERATOR);
        assertThat(subjects).singleElement().satisfies(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getName()).isEqualTo(OPERATOR);
            assertThat(s.getNamespace()).isEqualTo(NAMESPACE);
        });
    }

    private static void assertHttpProbe(Probe probe, String path, int initialDelay, int period) {
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getIntVal()).isEqualTo(8081);
        assertThat(probe.getInitialDelaySeconds()).isEqualTo(initialDelay);
        assertThat(probe.getPeriodSeconds()).isEqualTo(period);
    }

    // --- the policy against the CRD's schema (what the API server would check)

    private void assertMatchesCrdSchema(Map<?, ?> policy) throws Exception {
        Map<?, ?> crd = serialization.unmarshal(Files.readString(CRD_FILE), Map.class);
        Object schema = path(crd, "spec", "versions", 0, "schema", "openAPIV3Schema", "properties", "spec");
        assertThat(policy.get("spec")).isNotNull();
        checkSchema(policy.get("spec"), (Map<?, ?>) schema, "spec");
    }

    private static void checkSchema(Object value, Map<?, ?> schema, String where) {
        if (Boolean.TRUE.equals(schema.get("x-kubernetes-int-or-string"))) {
            assertThat(value).as(where).isInstanceOfAny(String.class, Integer.class, Long.class);
            return;
        }
        switch (String.valueOf(schema.get("type"))) {
            case "object" -> {
                assertThat(value).as(where).isInstanceOf(Map.class);
                Map<?, ?> properties = (Map<?, ?>) schema.get("properties");
                Object required = schema.get("required");
                if (required instanceof List<?> names) {
                    assertThat(List.<Object>copyOf(((Map<?, ?>) value).keySet())).as(where + " required")
                        .containsAll(List.<Object>copyOf(names));
                }
                for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                    String at = where + "." + e.getKey();
                    if (properties != null && properties.containsKey(e.getKey())) {
                        checkSchema(e.getValue(), (Map<?, ?>) properties.get(e.getKey()), at);
                    } else if (schema.get("additionalProperties") instanceof Map<?, ?> additional) {
                        checkSchema(e.getValue(), additional, at);
                    } else {
                        fail("%s is not a field of the ClusterPolicy CRD", at);
                    }
                }
            }
            case "array" -> {
                assertThat(value).as(where).isInstanceOf(List.class);
                List<?> items = (List<?>) value;
                for (int i = 0; i < items.size(); i++) {
                    checkSchema(items.get(i), (Map<?, ?>) schema.get("items"), where + "[" + i + "]");
                }
            }
            case "string" -> {
                assertThat(value).as(where).isInstanceOf(String.class);
                if (schema.get("enum") instanceof List<?> allowed) {
                    assertThat(List.<Object>copyOf(allowed)).as(where).contains(value);
                }
            }
            case "boolean" -> assertThat(value).as(where).isInstanceOf(Boolean.class);
            case "integer" -> assertThat(value).as(where).isInstanceOfAny(Integer.class, Long.class);
            default -> fail("%s: schema type %s not handled", where, schema.get("type"));
        }
    }

    private static Object path(Object node, Object... steps) {
        Object at = node;
        for (Object step : steps) {
            at = step instanceof Integer i ? ((List<?>) at).get(i) : ((Map<?, ?>) at).get(step);
        }
        return at;
    }
}
