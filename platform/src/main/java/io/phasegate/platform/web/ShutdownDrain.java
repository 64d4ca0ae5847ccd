package io.phasegate.platform.web;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * The first step of a graceful shutdown: for {@code phasegate.shutdown.drain} (1 s) the application keeps serving,
 * but every answer carries {@code Connection: close}, so that clients holding a kept-alive connection (the gateway's
 * connection pool, load balancers) make their next request on a new connection — to another instance once this one
 * is out of the endpoints. Then the web server's own graceful shutdown follows.
 *
 * <p>Why: Reactor Netty's graceful shutdown closes kept-alive connections that have no request in flight. A request
 * that arrives on such a connection at that moment can still run (its command commits) while the connection closes
 * before the answer (docs/known-issues.md). After the drain no connection that was in use is left kept-alive.
 * The stop is asynchronous: other lifecycle beans of the same phase (db-scheduler) stop meanwhile.
 */
public final class ShutdownDrain implements SmartLifecycle, WebFilter, Ordered {

    private static final Logger log = LoggerFactory.getLogger(ShutdownDrain.class);

    private final Duration drain;
    private volatile boolean running;
    private volatile boolean draining;

    public ShutdownDrain(Duration drain) {
        this.drain = drain.isNegative() ? Duration.ZERO : drain;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        exchange.getResponse().beforeCommit(() -> {
            if (draining) {
                exchange.getResponse().getHeaders().set(HttpHeaders.CONNECTION, "close");
            }
            return Mono.empty();
        });
        return chain.filter(exchange);
    }

    /** Whether the drain has begun (answers close their connections). */
    public boolean draining() {
        return draining;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        stop(() -> { });
    }

    @Override
    public void stop(Runnable callback) {
        draining = true;
        log.info("Shutting down: answering with Connection: close for {} before the web server stops", drain);
        CompletableFuture.delayedExecutor(drain.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            running = false;
            callback.run();
        });
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops before everything else (the web server's graceful shutdown, Axon): the application still serves. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }

    /** Early, so that every answer passes it (also answers of requests the identity filter refuses). */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
