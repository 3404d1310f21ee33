package dev.gpuop.operator.controller;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;

/**
 * Waits in the process for the API server to answer before the operator starts its informers. A start against an
 * API server that is away (an upgrade of the control plane, an etcd restart) fails, and a process that exits for it
 * is started again by the kubelet only after its crash-loop back-off, 10 s doubling to 5 minutes (on testenv, a
 * 60 s outage cost two restarts of the operator's pod). Waiting here saves the restarts of a start during the
 * outage; the loss of the leader lease still ends the process (ControlPlaneChaosE2E measures the whole recovery).
 */
final class ApiServerWait {

    private static final System.Logger LOG = System.getLogger(ApiServerWait.class.getName());

    private ApiServerWait() {
    }

    /** Returns once {@code GET /version} answers; logs the first failure and then one line per {@code every}. */
    static void untilAnswering(KubernetesClient client, Duration poll, Duration every) throws InterruptedException {
        long nextLog = 0;
        long started = System.nanoTime();
        while (true) {
            try {
                client.getKubernetesVersion();
                if (nextLog != 0) {
                    LOG.log(System.Logger.Level.INFO, "the API server answers again after {0} s",
                        (System.nanoTime() - started) / 1_000_000_000);
                }
                return;
            } catch (KubernetesClientException e) {
                long now = System.nanoTime();
                if (now >= nextLog) {
                    LOG.log(System.Logger.Level.WARNING, "the API server at {0} does not answer ({1}); the operator "
                        + "starts when it does", client.getMasterUrl(), rootMessage(e));
                    nextLog = now + every.toNanos();
                }
                Thread.sleep(poll);
            }
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
