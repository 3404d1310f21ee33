package dev.gpuop.cli.e2e;

import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * What a node agent pod gets: a service account that may read and patch Nodes and nothing else, its token and the
 * cluster's CA, written where the agent reads them (as the kubelet mounts them into a pod).
 */
final class NodeAgentServiceAccount {

    private static final String NAME = "gpuop-node-agent-e2e";

    private NodeAgentServiceAccount() {
    }

    static Path create(KubernetesClient k8s, Path dir) throws Exception {
        k8s.serviceAccounts().inNamespace("default").resource(new ServiceAccountBuilder().withNewMetadata()
            .withName(NAME).endMetadata().build()).serverSideApply();
        k8s.rbac().clusterRoles().resource(new ClusterRoleBuilder().withNewMetadata().withName(NAME).endMetadata()
            .addNewRule().withApiGroups("").withResources("nodes").withVerbs("get", "patch", "watch").endRule().build())
            .serverSideApply();
        k8s.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder().withNewMetadata().withName(NAME)
            .endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole")
            .withName(NAME).endRoleRef().addNewSubject().withKind("ServiceAccount").withName(NAME)
            .withNamespace("default").endSubject().build()).serverSideApply();
        TokenRequest token = k8s.serviceAccounts().inNamespace("default").withName(NAME).tokenRequest(
            new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build());
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("token"), token.getStatus().getToken());
        String caData = k8s.getConfiguration().getCaCertData();
        if (caData != null) {
            Files.write(dir.resolve("ca.crt"), Base64.getDecoder().decode(caData));
        } else {
            Files.copy(Path.of(k8s.getConfiguration().getCaCertFile()), dir.resolve("ca.crt"));
        }
        return dir;
    }
}
