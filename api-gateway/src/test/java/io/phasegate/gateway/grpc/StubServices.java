package io.phasegate.gateway.grpc;

import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.identity.InternalTokenVerifier;
import io.phasegate.platform.identity.InternalTokens;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A small HTTP server on 127.0.0.1 standing in for command-service or query-service: it verifies the forwarded
 * internal identity token with the real {@link InternalTokenVerifier} (401 problem without a valid one), records
 * every request, and answers with the handler's response.
 */
final class StubServices implements AutoCloseable {

    record Received(String method, String path, Optional<CallerIdentity> caller, Map<String, String> headers,
                    String body) {
    }

    record Answer(int status, String contentType, Flux<String> body, Map<String, String> headers) {
        static Answer json(int status, String body) {
            return new Answer(status, "application/json", Flux.just(body), Map.of());
        }

        static Answer problem(int status, String code, String detail) {
            return new Answer(status, "application/problem+json", Flux.just("{\"type\":\"about:blank\",\"title\":\"t\","
                    + "\"status\":" + status + ",\"code\":\"" + code + "\",\"detail\":\"" + detail + "\"}"), Map.of());
        }
    }

    final List<Received> received = new CopyOnWriteArrayList<>();
    /** Counted down when a client closes an SSE response before it ended. */
    final CountDownLatch streamCancelled = new CountDownLatch(1);
    private final InternalTokenVerifier verifier;
    private final DisposableServer server;

    StubServices(Path internalPublicKeys, Function<Received, Answer> handler) {
        this.verifier = new InternalTokenVerifier(internalPublicKeys, Clock.systemUTC());
        this.server = HttpServer.create().host("127.0.0.1").port(0)
                .handle((request, response) -> handle(request, response, handler))
                .bindNow(Duration.ofSeconds(10));
    }

    String url() {
        return "http://127.0.0.1:" + server.port();
    }

    private Mono<Void> handle(HttpServerRequest request, HttpServerResponse response,
                              Function<Received, Answer> handler) {
        return request.receive().aggregate().asString().defaultIfEmpty("").flatMap(body -> {
            String token = request.requestHeaders().get(InternalTokens.HEADER);
            Optional<CallerIdentity> caller = token == null ? Optional.empty() : verifier.verify(token);
            Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            request.requestHeaders().forEach(h -> headers.put(h.getKey(), h.getValue()));
            Received received = new Received(request.method().name(), request.uri(), caller, headers, body);
            this.received.add(received);
            Answer answer = caller.isEmpty()
                    ? Answer.problem(401, "unauthenticated", "No internal identity.")
                    : handler.apply(received);
            response.status(answer.status()).header("Content-Type", answer.contentType());
            answer.headers().forEach(response::header);
            return response.sendString(answer.body()
                    .doOnCancel(streamCancelled::countDown)).then();
        });
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
