package dev.gpuop.node.agent;

import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * One line per log record with the node's name in it, so that logs gathered from every node of a cluster still say
 * where each line came from: {@code 2026-11-29T04:40:00Z INFO node=gpu-1 DevicePluginManager: registered ...}.
 */
public final class NodeLogFormat extends Formatter {

    private final String node;

    private NodeLogFormat(String node) {
        this.node = node;
    }

    /** Replaces the root logger's handlers with one that writes this format to stderr. */
    public static void install(String nodeName) {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler h = new ConsoleHandler();
        h.setFormatter(new NodeLogFormat(nodeName));
        root.addHandler(h);
        // grpc/netty are chatty at INFO about channel options on Unix sockets; their warnings still show
        Logger.getLogger("io.netty").setLevel(java.util.logging.Level.WARNING);
        Logger.getLogger("io.grpc").setLevel(java.util.logging.Level.WARNING);
    }

    @Override
    public String format(LogRecord r) {
        String logger = r.getLoggerName() == null ? "" : r.getLoggerName();
        String shortName = logger.substring(logger.lastIndexOf('.') + 1);
        String line = Instant.ofEpochMilli(r.getMillis()) + " " + r.getLevel() + " node=" + node + " " + shortName
            + ": " + formatMessage(r) + System.lineSeparator();
        return r.getThrown() == null ? line : line + "  " + r.getThrown() + System.lineSeparator();
    }
}
