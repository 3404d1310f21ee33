package dev.gpuop.node.toolkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A wait for containerd that goes on says, every so often, what it waits for and for how long. */
class ContainerdRestarterProgressTest {

    @TempDir
    Path dir;

    @Test
    void aLongWaitForContainerdReportsWhatItWaitsForAndTheSecondsGone() {
        List<String> lines = new CopyOnWriteArrayList<>();
        Logger jul = Logger.getLogger(ContainerdRestarter.class.getName());
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                lines.add(java.text.MessageFormat.format(r.getMessage(), r.getParameters()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.addHandler(capture);
        try {
            Path socket = dir.resolve("containerd.sock");
            boolean back = new ContainerdRestarter(socket, Duration.ofMillis(1300), Duration.ofMillis(400))
                .recover(new RestartMethod.SignalOwner(-1));
            assertThat(back).as("nothing ever answers there").isFalse();
        } finally {
            jul.removeHandler(capture);
        }
        assertThat(lines).hasSizeGreaterThanOrEqualTo(2);
        assertThat(lines.getFirst()).startsWith("waiting for a new containerd process on " + dir)
            .endsWith("s of 1 s)");
    }
}
