package dev.gpuop.testsupport;

import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension for end-to-end tests: hands test methods and constructors the {@link TestCluster} and a fabric8
 * {@link KubernetesClient} of it, starting the cluster (or reusing a running one) on first use. One client per
 * test class, closed after it.
 */
public final class TestClusterExtension implements ParameterResolver, AfterAllCallback {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(TestClusterExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
        Class<?> type = p.getParameter().getType();
        return type == KubernetesClient.class || type == TestCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext c) {
        if (p.getParameter().getType() == TestCluster.class) {
            return TestCluster.get();
        }
        ExtensionContext.Store store = c.getRoot().getStore(NS);
        String key = "client-" + c.getRequiredTestClass().getName();
        return store.computeIfAbsent(key, k -> TestCluster.get().client(), KubernetesClient.class);
    }

    @Override
    public void afterAll(ExtensionContext c) {
        KubernetesClient client = c.getRoot().getStore(NS)
            .remove("client-" + c.getRequiredTestClass().getName(), KubernetesClient.class);
        if (client != null) {
            client.close();
        }
    }
}
