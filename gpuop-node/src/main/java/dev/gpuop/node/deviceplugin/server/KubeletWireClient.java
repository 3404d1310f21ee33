package dev.gpuop.node.deviceplugin.server;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A blocking gRPC client of a device plugin socket that writes what the kubelet's gRPC-Go client writes, frame by
 * frame: an empty SETTINGS, the pseudo-headers in Go's order with Huffman-coded values and no {@code grpc-timeout},
 * and after each answer a connection WINDOW_UPDATE and a PING (Go's bandwidth estimator). Why not grpc-java's own
 * client: the warm-up exists so that the JIT has compiled the server's paths for the kubelet's calls, and grpc-java's
 * client sends other frames and headers. Against a Go client the server's code compiled for grpc-java's frames hit
 * uncommon traps in the HPACK decoder, the header checks and the stream map and ran interpreted again; with calls
 * minutes apart it stayed so (docs/benchmarks.md). No library speaks HTTP/2 the way Go does; the HPACK coding is
 * netty's. Not thread-safe: one call at a time.
 */
final class KubeletWireClient implements AutoCloseable {

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int DATA = 0;
    private static final int HEADERS = 1;
    private static final int SETTINGS = 4;
    private static final int PING = 6;
    private static final int GOAWAY = 7;
    private static final int WINDOW_UPDATE = 8;
    private static final int END_STREAM = 0x1;
    private static final int ACK = 0x1;
    private static final int END_HEADERS = 0x4;
    /** The payload of gRPC-Go's bandwidth-estimator PING. */
    private static final byte[] BDP_PING = {2, 4, 16, 16, 9, 14, 7, 7};
    static final String SERVICE = "/v1beta1.DevicePlugin/";

    private final SocketChannel channel;
    private final DefaultHttp2HeadersEncoder encoder =
        new DefaultHttp2HeadersEncoder(Http2HeadersEncoder.NEVER_SENSITIVE, false, 16, 0);
    private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);
    private final ByteBuffer header = ByteBuffer.allocate(9);
    private int nextStream = 1;

    private KubeletWireClient(SocketChannel channel) {
        this.channel = channel;
    }

    /** Connects and exchanges settings as gRPC-Go does: its preface and an empty SETTINGS before any call. */
    static KubeletWireClient connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        KubeletWireClient c = new KubeletWireClient(ch);
        ByteBuf out = Unpooled.buffer();
        out.writeBytes(PREFACE);
        frame(out, SETTINGS, 0, 0, Unpooled.EMPTY_BUFFER);
        c.write(out);
        return c;
    }

    /** A unary call: the answer, or an IOException naming the status the server closed the call with. */
    <T extends MessageLite> T call(String method, MessageLite request, Parser<T> parser) throws IOException {
        int stream = open(method, request);
        byte[] message = readUntilClosed(stream);
        ByteBuf out = Unpooled.buffer();
        ByteBuf increment = Unpooled.buffer(4).writeInt(message.length + 5);
        frame(out, WINDOW_UPDATE, 0, 0, increment);
        frame(out, PING, 0, 0, Unpooled.wrappedBuffer(BDP_PING));
        write(out);
        return parse(method, message, parser);
    }

    private static <T extends MessageLite> T parse(String method, byte[] message, Parser<T> parser)
        throws IOException {
        if (message.length < 5) {
            throw new IOException(method + ": no message in the answer");
        }
        try {
            return parser.parseFrom(message, 5, message.length - 5);
        } catch (InvalidProtocolBufferException e) {
            throw new IOException(method + ": the answer does not parse: " + e.getMessage(), e);
        }
    }

    /** Opens a server stream (ListAndWatch) and returns its first message; the stream stays open. */
    <T extends MessageLite> T openStream(String method, MessageLite request, Parser<T> parser) throws IOException {
        int stream = open(method, request);
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        while (data.size() < 5 || data.size() < 5 + ByteBuffer.wrap(data.toByteArray(), 1, 4).getInt()) {
            Frame f = readFrame();
            if (f.type == DATA && f.stream == stream) {
                data.writeBytes(f.payload);
            } else if (f.type == HEADERS && f.stream == stream && (f.flags & END_STREAM) != 0) {
                throw new IOException(method + " closed before its first message: " + f.headers);
            }
        }
        return parse(method, data.toByteArray(), parser);
    }

    private int open(String method, MessageLite request) throws IOException {
        int stream = nextStream;
        nextStream += 2;
        Http2Headers h = new DefaultHttp2Headers().method("POST").scheme("http").path(SERVICE + method)
            .authority("localhost").add("content-type", "application/grpc").add("user-agent", "grpc-go/1.72.2")
            .add("te", "trailers");
        ByteBuf block = Unpooled.buffer();
        try {
            encoder.encodeHeaders(stream, h, block);
        } catch (Http2Exception e) {
            throw new IOException("cannot encode the headers of " + method + ": " + e.getMessage(), e);
        }
        byte[] body = request.toByteArray();
        ByteBuf grpc = Unpooled.buffer(5 + body.length).writeByte(0).writeInt(body.length).writeBytes(body);
        ByteBuf out = Unpooled.buffer();
        frame(out, HEADERS, END_HEADERS, stream, block);
        frame(out, DATA, END_STREAM, stream, grpc);
        write(out);
        return stream;
    }

    /** Reads frames, answering the server's SETTINGS and PINGs, until the stream's trailers; its DATA bytes. */
    private byte[] readUntilClosed(int stream) throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        while (true) {
            Frame f = readFrame();
            if (f.type == DATA && f.stream == stream) {
                data.writeBytes(f.payload);
            } else if (f.type == HEADERS && f.stream == stream && (f.flags & END_STREAM) != 0) {
                CharSequence status = f.headers.get("grpc-status");
                if (status == null || !"0".contentEquals(status)) {
                    throw new IOException("call closed with grpc-status " + status + ": "
                        + f.headers.get("grpc-message"));
                }
                return data.toByteArray();
            }
        }
    }

    private Frame readFrame() throws IOException {
        header.clear();
        readFully(header);
        header.flip();
        int length = (header.get() & 0xff) << 16 | (header.get() & 0xff) << 8 | header.get() & 0xff;
        int type = header.get() & 0xff;
        int flags = header.get() & 0xff;
        int stream = header.getInt() & 0x7fffffff;
        ByteBuffer payload = ByteBuffer.allocate(length);
        readFully(payload);
        Frame f = new Frame(type, flags, stream, payload.array());
        if (type == SETTINGS && (flags & ACK) == 0) {
            acknowledge(SETTINGS, Unpooled.EMPTY_BUFFER);
        } else if (type == PING && (flags & ACK) == 0) {
            acknowledge(PING, Unpooled.wrappedBuffer(f.payload));
        } else if (type == HEADERS) {
            // every header block goes through the decoder: HPACK's table is shared by the whole connection
            try {
                f.headers = decoder.decodeHeaders(stream, Unpooled.wrappedBuffer(f.payload));
            } catch (Http2Exception e) {
                throw new IOException("the server's headers do not decode: " + e.getMessage(), e);
            }
        } else if (type == GOAWAY) {
            throw new IOException("the server sent GOAWAY");
        }
        return f;
    }

    /** Answers a SETTINGS or PING frame at once, as the server expects of any peer. */
    private void acknowledge(int type, ByteBuf payload) throws IOException {
        ByteBuf out = Unpooled.buffer(9 + payload.readableBytes());
        frame(out, type, ACK, 0, payload);
        write(out);
    }

    private static void frame(ByteBuf out, int type, int flags, int stream, ByteBuf payload) {
        out.writeMedium(payload.readableBytes()).writeByte(type).writeByte(flags).writeInt(stream).writeBytes(payload);
    }

    private void write(ByteBuf out) throws IOException {
        ByteBuffer b = out.nioBuffer();
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    private void readFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (channel.read(b) < 0) {
                throw new IOException("the server closed the connection");
            }
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private static final class Frame {
        final int type;
        final int flags;
        final int stream;
        final byte[] payload;
        Http2Headers headers;

        Frame(int type, int flags, int stream, byte[] payload) {
            this.type = type;
            this.flags = flags;
            this.stream = stream;
            this.payload = payload;
        }
    }
}
