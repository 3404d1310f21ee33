package dev.gpuop.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** What counts as a hand edit, and what the API server adds that does not. */
class DriftTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s.replace('\'', '"'));
    }

    @Test
    void whatTheServerAddsIsNotDriftWhatAHandChangesIs() throws Exception {
        JsonNode want = json("{'metadata': {'name': 'a', 'labels': {'x': '1'}}, 'spec': {'template': {'spec': {"
            + "'containers': [{'name': 'c', 'env': [{'name': 'A', 'value': 'b'}], 'resources': {},"
            + " 'securityContext': {'privileged': true, 'readOnlyRootFilesystem': false}}]}}, 'replicas': 0}}");
        JsonNode defaulted = json("{'metadata': {'name': 'a', 'uid': 'u', 'resourceVersion': '7', 'labels': {'x': '1',"
            + " 'y': '2'}, 'annotations': {'deprecated.daemonset.template.generation': '3'}}, 'spec': {'template': {"
            + "'spec': {'containers': [{'name': 'c', 'env': [{'name': 'A', 'value': 'b'}],"
            + " 'terminationMessagePath': '/dev/termination-log', 'securityContext': {'privileged': true}}],"
            + " 'dnsPolicy': 'ClusterFirst'}}}, 'status': {'numberReady': 1}}");
        assertThat(Drift.firstDifference(want, defaulted)).isEmpty();

        JsonNode edited = json("{'metadata': {'name': 'a', 'labels': {'x': '1'}}, 'spec': {'template': {'spec': {"
            + "'containers': [{'name': 'c', 'env': [{'name': 'A', 'value': 'changed'}]}]}}}}");
        assertThat(Drift.firstDifference(want, edited)).hasValue("spec.template.spec.containers[0].env[0].value");
        JsonNode added = json("{'metadata': {'name': 'a', 'labels': {'x': '1'}}, 'spec': {'template': {'spec': {"
            + "'containers': [{'name': 'c', 'env': [{'name': 'A', 'value': 'b'}, {'name': 'B', 'value': 'c'}],"
            + " 'securityContext': {'privileged': true}}]}}}}");
        assertThat(Drift.firstDifference(want, added)).hasValue("spec.template.spec.containers[0].env");
        JsonNode relabelled = json("{'metadata': {'name': 'a', 'labels': {'x': '2'}}}");
        assertThat(Drift.firstDifference(json("{'metadata': {'labels': {'x': '1'}}}"), relabelled))
            .hasValue("metadata.labels.x");
        assertThat(Drift.firstDifference(json("{'spec': {'port': 9400}}"), json("{'spec': {'port': '9400'}}")))
            .isEmpty();
    }
}
