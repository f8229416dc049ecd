package io.hivestream.connectors.agents.providers;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * HTTP/1.1 POSTs over keep-alive connections pooled per endpoint, all on one Netty event loop
 * thread: the request is written, the reply read and the caller's future completed there, with no
 * hand-off between threads inside a call. One connection carries one call at a time; a call that
 * finds no idle connection of its endpoint opens one. Redirects are never followed.
 *
 * <p>Failures come as the JDK client's exceptions, so that callers map them one way: {@link
 * HttpConnectTimeoutException} when no connection opened in time, {@link HttpTimeoutException} when
 * no whole reply came within the call's timeout, another {@link IOException} when the connection
 * failed or closed before the reply.
 */
final class HttpPoster implements AutoCloseable {
    /** The largest reply body read; a larger one fails the call. */
    static final int MAX_REPLY_BYTES = 16 << 20;

    /** How long a pooled connection may stay idle before it is closed. */
    static final Duration IDLE = Duration.ofSeconds(60);

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /** The connections' buffers: pooled, on the heap. */
    private static final ByteBufAllocator HEAP = new PooledByteBufAllocator(false);

    /**
     * The JVM's one poster, whose connections every agent's runtime shares. When its last holder
     * gives it back, its event loop stops: a job whose runtimes are closed leaves no thread behind
     * that would keep its classes loaded.
     */
    static final Shared<HttpPoster> SHARED =
            new Shared<>(() -> new HttpPoster(null), HttpPoster::stop);

    /**
     * A reply: its status, headers and whole body.
     *
     * @param headers the reply's headers; look names up case-insensitively with {@link
     *     HttpHeaders#get(CharSequence)}
     */
    record Reply(int status, HttpHeaders headers, byte[] body) {}

    private final EventLoopGroup loop;
    private final SslContext tls;
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();

    /**
     * @param trust the certificates trusted for {@code https} endpoints; null for the JVM's default
     *     (its {@code cacerts}, or {@code javax.net.ssl.trustStore})
     */
    HttpPoster(TrustManagerFactory trust) {
        this.loop = new NioEventLoopGroup(1, new DefaultThreadFactory("hivestream-http", true));
        try {
            this.tls =
                    SslContextBuilder.forClient()
                            .sslProvider(SslProvider.JDK)
                            .trustManager(trust)
                            .build();
        } catch (SSLException e) {
            loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw new IllegalStateException("cannot set up TLS for provider calls", e);
        }
    }

    /** Tells the event loop to stop, closing every connection, without waiting for it. */
    void stop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** Whether its event loop was told to stop. */
    boolean stopped() {
        return loop.isShuttingDown();
    }

    /**
     * Posts {@code body} to {@code uri} with these headers besides {@code Host} and {@code
     * Content-Length}; completes with the whole reply, whatever its status, or fails as the class
     * comment says. Never blocks.
     */
    CompletableFuture<Reply> post(
            URI uri, Map<String, String> headers, byte[] body, Duration timeout) {
        Endpoint endpoint = endpoints.computeIfAbsent(Endpoint.key(uri), key -> endpoint(uri));
        FullHttpRequest request =
                new DefaultFullHttpRequest(
                        HttpVersion.HTTP_1_1,
                        HttpMethod.POST,
                        target(uri),
                        Unpooled.wrappedBuffer(body));
        HttpHeaders out = request.headers();
        out.set(HttpHeaderNames.HOST, endpoint.host);
        headers.forEach(out::set);
        out.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        Call call = new Call(request, timeout);
        Channel idle = endpoint.idle();
        if (idle != null) {
            idle.eventLoop().execute(() -> send(endpoint, idle, call));
        } else {
            connect(endpoint, call);
        }
        return call.reply;
    }

    /** On the connection's event loop: hands the call to its handler and writes the request. */
    private static void send(Endpoint endpoint, Channel channel, Call call) {
        if (!channel.isActive()) {
            // Closed while idle in the pool: take another connection, or open one.
            Channel next = endpoint.idle();
            if (next != null) {
                send(endpoint, next, call);
            } else {
                connect(endpoint, call);
            }
            return;
        }
        Replies replies = channel.pipeline().get(Replies.class);
        replies.start(channel, call);
        channel.writeAndFlush(call.request)
                .addListener(
                        written -> {
                            if (!written.isSuccess()) {
                                replies.fail(channel, written.cause());
                            }
                        });
    }

    /** Opens a connection to the endpoint and sends the call on it. */
    private static void connect(Endpoint endpoint, Call call) {
        ChannelFuture connecting = endpoint.bootstrap.connect();
        connecting.addListener(
                connected -> {
                    if (connected.isSuccess()) {
                        send(endpoint, connecting.channel(), call);
                    } else {
                        call.request.release();
                        call.reply.completeExceptionally(connectFailure(connected.cause()));
                    }
                });
    }

    private static IOException connectFailure(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            HttpConnectTimeoutException timeout =
                    new HttpConnectTimeoutException("cannot connect in time");
            timeout.initCause(cause);
            return timeout;
        }
        if (cause instanceof IOException io) {
            return io;
        }
        return new IOException("cannot connect", cause);
    }

    /**
     * What a call that failed on its connection fails with: an {@link IOException} that says why.
     */
    static IOException failure(Throwable error) {
        Throwable cause = error;
        while (cause instanceof DecoderException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof PrematureChannelClosureException) {
            return new IOException("the connection closed before the reply", cause);
        }
        if (cause instanceof TooLongFrameException) {
            return new IOException(
                    "the reply is larger than " + (MAX_REPLY_BYTES >> 20) + " MiB", cause);
        }
        if (cause instanceof IOException io) {
            return io;
        }
        return new IOException("malformed HTTP reply: " + cause.getMessage(), cause);
    }

    /** The path and query of {@code uri}, as the request line names it. */
    static String target(URI uri) {
        String path =
                uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    }

    /** The host to connect to: an IPv6 literal without the brackets the URL writes it in. */
    static String address(URI uri) {
        String host = uri.getHost();
        return host.startsWith("[") && host.endsWith("]")
                ? host.substring(1, host.length() - 1)
                : host;
    }

    private Endpoint endpoint(URI uri) {
        boolean https = "https".equals(uri.getScheme());
        int port = uri.getPort() != -1 ? uri.getPort() : https ? 443 : 80;
        String host = address(uri);
        // The Host header names the host as the URL does, with its port when the URL has one.
        String named = uri.getPort() == -1 ? uri.getHost() : uri.getHost() + ":" + port;
        Endpoint endpoint = new Endpoint(named, new Bootstrap());
        endpoint.bootstrap
                .group(loop)
                .channel(NioSocketChannel.class)
                .remoteAddress(host, port)
                .option(ChannelOption.TCP_NODELAY, true)
                // On the heap: a TaskManager's direct memory is Flink's, sized for its own use.
                .option(ChannelOption.ALLOCATOR, HEAP)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT.toMillis())
                .handler(
                        new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel channel) {
                                ChannelPipeline pipeline = channel.pipeline();
                                if (https) {
                                    SslHandler handler =
                                            tls.newHandler(channel.alloc(), host, port);
                                    SSLEngine engine = handler.engine();
                                    SSLParameters parameters = engine.getSSLParameters();
                                    // The certificate must name the host the URL names.
                                    parameters.setEndpointIdentificationAlgorithm("HTTPS");
                                    engine.setSSLParameters(parameters);
                                    pipeline.addLast(handler);
                                }
                                pipeline.addLast(
                                        new IdleStateHandler(
                                                0, 0, IDLE.toSeconds(), TimeUnit.SECONDS),
                                        new HttpClientCodec(),
                                        new HttpObjectAggregator(MAX_REPLY_BYTES),
                                        new Replies(endpoint));
                            }
                        });
        return endpoint;
    }

    /** How many connections to {@code uri}'s host and port wait idle in the pool. */
    int idle(URI uri) {
        Endpoint endpoint = endpoints.get(Endpoint.key(uri));
        return endpoint == null ? 0 : endpoint.idle.size();
    }

    /**
     * Closes every connection and stops the event loop, waiting for it; for a poster made apart,
     * not the {@link #SHARED} one.
     */
    @Override
    public void close() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** The idle connections to one host and port. */
    private static final class Endpoint {
        final String host;
        final Bootstrap bootstrap;
        final Deque<Channel> idle = new ConcurrentLinkedDeque<>();

        Endpoint(String host, Bootstrap bootstrap) {
            this.host = host;
            this.bootstrap = bootstrap;
        }

        static String key(URI uri) {
            return uri.getScheme() + "://" + uri.getHost() + ":" + uri.getPort();
        }

        /** The connection used last, for a warm one; null when none is idle. */
        Channel idle() {
            Channel channel;
            while ((channel = idle.pollFirst()) != null) {
                if (channel.isActive()) {
                    return channel;
                }
            }
            return null;
        }
    }

    /** One call on its way. */
    private static final class Call {
        final FullHttpRequest request;
        final Duration timeout;
        final CompletableFuture<Reply> reply = new CompletableFuture<>();
        ScheduledFuture<?> deadline;

        Call(FullHttpRequest request, Duration timeout) {
            this.request = request;
            this.timeout = timeout;
        }
    }

    /** A connection's one call at a time: completes it with the reply, or fails it. */
    private static final class Replies extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final Endpoint endpoint;
        private Call call;

        Replies(Endpoint endpoint) {
            this.endpoint = endpoint;
        }

        void start(Channel channel, Call call) {
            this.call = call;
            call.deadline =
                    channel.eventLoop()
                            .schedule(
                                    () -> {
                                        if (this.call == call) {
                                            fail(
                                                    channel,
                                                    new HttpTimeoutException(
                                                            "no reply within "
                                                                    + call.timeout.toMillis()
                                                                    + " ms"));
                                        }
                                    },
                                    call.timeout.toNanos(),
                                    TimeUnit.NANOSECONDS);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext context, FullHttpResponse response) {
            Call done = call;
            if (done == null) {
                // A reply nobody asked for: the connection cannot be trusted any more.
                context.close();
                return;
            }
            if (response.decoderResult().isFailure()) {
                fail(context.channel(), response.decoderResult().cause());
                return;
            }
            call = null;
            done.deadline.cancel(false);
            Reply reply =
                    new Reply(
                            response.status().code(),
                            response.headers(),
                            ByteBufUtil.getBytes(response.content()));
            if (HttpUtil.isKeepAlive(response)) {
                endpoint.idle.offerFirst(context.channel());
            } else {
                context.close();
            }
            done.reply.complete(reply);
        }

        /** Fails the connection's call, if any, and closes it. */
        void fail(Channel channel, Throwable error) {
            Call failed = call;
            call = null;
            channel.close();
            if (failed != null) {
                failed.deadline.cancel(false);
                failed.reply.completeExceptionally(failure(error));
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext context) throws Exception {
            endpoint.idle.remove(context.channel());
            if (call != null) {
                fail(context.channel(), new IOException("the connection closed before the reply"));
            }
            super.channelInactive(context);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
            fail(context.channel(), cause);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext context, Object event)
                throws Exception {
            if (event instanceof IdleStateEvent && call == null) {
                endpoint.idle.remove(context.channel());
                context.close();
                return;
            }
            super.userEventTriggered(context, event);
        }
    }
}
