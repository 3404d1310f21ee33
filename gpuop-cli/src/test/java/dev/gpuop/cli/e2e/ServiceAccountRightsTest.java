package dev.gpuop.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** kubectl's can-i table, as kubectl 1.35 prints it, read into rights per resource. */
class ServiceAccountRightsTest {

    private static final String TABLE = """
        Resources                                       Non-Resource URLs   Resource Names   Verbs
        selfsubjectreviews.authentication.k8s.io        []                  []               [create]
        pods                                            []                  []               [get list watch]
        pods                                            []                  []               [create delete]
        clusterpolicies/status.gpuop.dev                []                  []               [get update patch]
        configmaps                                      []                  [agent]          [get]
        *.*                                             []                  []               [*]
                                                        [/api/*]            []               [get]
        """;

    @Test
    void rowsOfOneResourceMergeSubresourcesGoLastAndUrlsAreLeftOut() {
        var rights = ServiceAccountRights.parse(TABLE);
        assertThat(rights).containsOnlyKeys("selfsubjectreviews.authentication.k8s.io", "pods",
            "clusterpolicies.gpuop.dev/status", "configmaps[agent]", "*.*");
        assertThat(rights.get("pods")).isEqualTo(Set.of("get", "list", "watch", "create", "delete"));
        assertThat(rights.get("clusterpolicies.gpuop.dev/status")).containsExactlyInAnyOrder("get", "update", "patch");
        assertThat(rights.get("*.*")).containsExactly("*");
    }

    @Test
    void anythingElseIsRefused() {
        assertThatThrownBy(() -> ServiceAccountRights.parse("error: unknown flag\n"))
            .hasMessageContaining("not kubectl's can-i table");
    }
}
