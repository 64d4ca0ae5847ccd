package io.phasegate.gateway.grpc;

import com.google.protobuf.Descriptors;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.phasegate.grpc.v1.StreamEvent;
import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.identity.InternalTokenIssuer;
import io.phasegate.platform.identity.InternalTokens;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.concurrent.atomic.AtomicBoolean;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.util.UriUtils;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.BufferOverflowStrategy;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.Disposable;
import reactor.core.Exceptions;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Calls the services' HTTP API for the gRPC endpoint, non-blocking: the request message becomes the snake_case JSON
 * body (proto field names are the HTTP contract's names), the caller travels in a freshly minted internal identity
 * token, and the answer is parsed back into the response message; a problem answer becomes a gRPC status
 * ({@link ProblemStatus}). A cancelled call cancels the HTTP exchange.
 */
final class ServiceClient {

    private static final Logger log = LoggerFactory.getLogger(ServiceClient.class);
    private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE =
            new ParameterizedTypeReference<>() { };
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().preservingProtoFieldNames()
            .omittingInsignificantWhitespace();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
    /** Request fields that are never part of a JSON body. */
    private static final Set<String> META_FIELDS = Set.of("idempotency_key");

    enum Target { COMMAND, QUERY }

    /** One HTTP request for a call. */
    record Request(Target target, HttpMethod method, String path, Message body, Set<String> omit,
                   Map<String, String> headers) {
        Request {
            omit = omit == null ? Set.of() : omit;
            headers = headers == null ? Map.of() : headers;
        }
    }

    private final WebClient web;
    private final GrpcGatewayProperties properties;
    private final InternalTokenIssuer issuer;
    private final ObjectMapper json;

    ServiceClient(WebClient web, GrpcGatewayProperties properties, InternalTokenIssuer issuer, ObjectMapper json) {
        this.web = web;
        this.properties = properties;
        this.issuer = issuer;
        this.json = json;
    }

    /**
     * Runs {@code request} for the caller in the current gRPC context and answers {@code observer} with the response
     * built by {@code responseBuilder}.
     */
    <T extends Message> void unary(Request request, Supplier<Message.Builder> responseBuilder,
                                   StreamObserver<T> observer) {
        CallerIdentity caller = GrpcCalls.caller();
        String idempotencyKey = idempotencyKey(request.body());
        AtomicBoolean replayed = GrpcCalls.REPLAYED.get();
        ServerCallStreamObserver<T> call = (ServerCallStreamObserver<T>) observer;
        Duration timeout = timeout();
        Mono<T> answer = Mono.defer(() -> send(request, caller, idempotencyKey, MediaType.APPLICATION_JSON)
                        .exchangeToMono(response -> {
                            if (replayed != null && "true".equalsIgnoreCase(
                                    response.headers().asHttpHeaders().getFirst("Idempotent-Replayed"))) {
                                replayed.set(true);
                            }
                            return answer(response, responseBuilder);
                        }))
                .map(message -> this.<T>cast(message))
                .timeout(timeout);
        Disposable.Swap subscription = reactor.core.Disposables.swap();
        call.setOnCancelHandler(subscription::dispose);
        subscription.update(answer.subscribe(message -> {
            if (!call.isCancelled()) {
                call.onNext(message);
                call.onCompleted();
            }
        }, error -> {
            if (!call.isCancelled()) {
                call.onError(toStatus(error));
            }
        }));
    }

    /**
     * Opens the service's server-sent event stream at {@code pathAndQuery} (resuming after {@code lastEventId}) and
     * re-emits its events; comments (open, keep-alive) are not forwarded. The client's flow control is honoured: up
     * to {@code stream-buffer} events wait for a slow client, past that it is dropped with {@code RESOURCE_EXHAUSTED}
     * {@code slow_consumer}. The end of either side ends the other.
     */
    void stream(String pathAndQuery, String lastEventId, StreamObserver<StreamEvent> observer) {
        CallerIdentity caller = GrpcCalls.caller();
        ServerCallStreamObserver<StreamEvent> call = (ServerCallStreamObserver<StreamEvent>) observer;
        Flux<StreamEvent> events = Flux.defer(() -> {
                    WebClient.RequestHeadersSpec<?> spec = web.get()
                            .uri(URI.create(properties.queryUrl().toString().replaceAll("/+$", "") + pathAndQuery))
                            .header(InternalTokens.HEADER, issuer.issue(caller))
                            .accept(MediaType.TEXT_EVENT_STREAM);
                    if (lastEventId != null && !lastEventId.isBlank()) {
                        spec = spec.header("Last-Event-ID", lastEventId);
                    }
                    return spec.exchangeToFlux(response -> response.statusCode().is2xxSuccessful()
                            ? response.bodyToFlux(SSE)
                            : response.bodyToMono(String.class).defaultIfEmpty("")
                                    .flatMapMany(body -> Flux.error(ProblemStatus.of(response.statusCode().value(),
                                            body, response.headers().asHttpHeaders(), json))));
                })
                .filter(event -> event.data() != null || event.event() != null)
                .map(event -> StreamEvent.newBuilder()
                        .setPosition(event.id() == null ? "" : event.id())
                        .setEvent(event.event() == null ? "message" : event.event())
                        .setData(event.data() == null ? "" : event.data())
                        .build())
                .onBackpressureBuffer(properties.streamBuffer(), BufferOverflowStrategy.ERROR);

        StreamSubscriber subscriber = new StreamSubscriber(call);
        call.setOnCancelHandler(subscriber::dispose);
        call.setOnReadyHandler(subscriber::ready);
        events.subscribe(subscriber);
    }

    /** Forwards events while the client is ready; asks for the next one when it becomes ready again. */
    private final class StreamSubscriber extends BaseSubscriber<StreamEvent> {
        private final ServerCallStreamObserver<StreamEvent> call;

        StreamSubscriber(ServerCallStreamObserver<StreamEvent> call) {
            this.call = call;
        }

        void ready() {
            if (!isDisposed()) {
                request(1);
            }
        }

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            request(1);
        }

        @Override
        protected void hookOnNext(StreamEvent event) {
            if (call.isCancelled()) {
                dispose();
                return;
            }
            call.onNext(event);
            if (call.isReady()) {
                request(1);
            }
        }

        @Override
        protected void hookOnComplete() {
            if (!call.isCancelled()) {
                call.onCompleted();
            }
        }

        @Override
        protected void hookOnError(Throwable error) {
            if (!call.isCancelled()) {
                call.onError(Exceptions.isOverflow(error)
                        ? GrpcCalls.problem(Status.RESOURCE_EXHAUSTED, "slow_consumer", "The client fell more than "
                        + properties.streamBuffer() + " events behind and was disconnected; resume with "
                        + "last_event_id.", null, null)
                        : toStatus(error));
            }
        }
    }

    private WebClient.RequestHeadersSpec<?> send(Request request, CallerIdentity caller, String idempotencyKey,
                                                 MediaType accept) {
        URI base = request.target() == Target.COMMAND ? properties.commandUrl() : properties.queryUrl();
        WebClient.RequestBodySpec spec = web.method(request.method())
                .uri(URI.create(base.toString().replaceAll("/+$", "") + request.path()))
                .header(InternalTokens.HEADER, issuer.issue(caller))
                .accept(accept);
        if (idempotencyKey != null && !idempotencyKey.isBlank()) {
            spec = spec.header("Idempotency-Key", idempotencyKey);
        }
        for (Map.Entry<String, String> header : request.headers().entrySet()) {
            spec = spec.header(header.getKey(), header.getValue());
        }
        if (request.body() == null) {
            return spec;
        }
        return spec.contentType(MediaType.APPLICATION_JSON).bodyValue(body(request.body(), request.omit()));
    }

    /** The message as the HTTP API's JSON body, without the fields that go elsewhere (path, headers). */
    String body(Message message, Set<String> omit) {
        try {
            ObjectNode tree = (ObjectNode) json.readTree(PRINTER.print(message));
            META_FIELDS.forEach(tree::remove);
            omit.forEach(tree::remove);
            // proto3 JSON writes 64-bit integers as strings; the HTTP API takes numbers
            for (Descriptors.FieldDescriptor field : message.getDescriptorForType().getFields()) {
                JsonNode value = tree.get(field.getName());
                if (value != null && value.isString() && !field.isRepeated()
                        && field.getJavaType() == Descriptors.FieldDescriptor.JavaType.LONG) {
                    tree.put(field.getName(), Long.parseLong(value.asString()));
                }
            }
            return json.writeValueAsString(tree);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("Cannot write the request as JSON", e);
        }
    }

    private Mono<Message> answer(ClientResponse response, Supplier<Message.Builder> responseBuilder) {
        return response.bodyToMono(String.class).defaultIfEmpty("").flatMap(body -> {
            if (!response.statusCode().is2xxSuccessful()) {
                return Mono.error(ProblemStatus.of(response.statusCode().value(), body,
                        response.headers().asHttpHeaders(), json));
            }
            return Mono.fromCallable(() -> parse(body, responseBuilder.get()));
        });
    }

    /** The service's JSON answer as {@code builder}'s message; {@code view} (if the message has one) gets all of it. */
    Message parse(String body, Message.Builder builder) throws InvalidProtocolBufferException {
        if (body.isBlank()) {
            return builder.build();
        }
        JsonNode tree = json.readTree(body);
        if (tree instanceof ObjectNode object) {
            coerce(object, builder.getDescriptorForType());
        }
        PARSER.merge(json.writeValueAsString(tree), builder);
        Descriptors.FieldDescriptor view = builder.getDescriptorForType().findFieldByName("view");
        if (view != null && view.getMessageType().getFullName().equals(Struct.getDescriptor().getFullName())
                && tree.isObject()) {
            Struct.Builder struct = Struct.newBuilder();
            PARSER.merge(body, struct);
            builder.setField(view, struct.build());
        }
        return builder.build();
    }

    /** Scalars where the message has a string (e.g. a number as an id), so a benign type difference does not fail. */
    private static void coerce(ObjectNode object, Descriptors.Descriptor type) {
        for (Descriptors.FieldDescriptor field : type.getFields()) {
            JsonNode value = object.get(field.getName());
            if (value == null || value.isNull()) {
                continue;
            }
            if (field.getJavaType() == Descriptors.FieldDescriptor.JavaType.STRING && !field.isRepeated()
                    && value.isValueNode() && !value.isString()) {
                object.put(field.getName(), value.asString());
            } else if (field.getJavaType() == Descriptors.FieldDescriptor.JavaType.MESSAGE && !field.isRepeated()
                    && value instanceof ObjectNode nested
                    && !field.getMessageType().getFile().getPackage().equals("google.protobuf")) {
                coerce(nested, field.getMessageType());
            }
        }
    }

    private static String idempotencyKey(Message body) {
        if (body != null) {
            Descriptors.FieldDescriptor field = body.getDescriptorForType().findFieldByName("idempotency_key");
            if (field != null) {
                String value = (String) body.getField(field);
                if (!value.isBlank()) {
                    return value;
                }
            }
        }
        return GrpcCalls.IDEMPOTENCY_KEY.get();
    }

    private Duration timeout() {
        Deadline deadline = Context.current().getDeadline();
        Duration configured = properties.callTimeout();
        if (deadline == null) {
            return configured;
        }
        Duration left = Duration.ofMillis(Math.max(1, deadline.timeRemaining(TimeUnit.MILLISECONDS)));
        return left.compareTo(configured) < 0 ? left : configured;
    }

    @SuppressWarnings("unchecked")
    private <T> T cast(Message message) {
        return (T) message;
    }

    static StatusException toStatus(Throwable error) {
        Throwable cause = Exceptions.unwrap(error);
        if (cause instanceof StatusException status) {
            return status;
        }
        if (cause instanceof TimeoutException) {
            return GrpcCalls.problem(Status.DEADLINE_EXCEEDED, "timeout", "The service did not answer in time.",
                    null, null);
        }
        if (cause instanceof WebClientRequestException) {
            log.warn("Service unreachable: {}", cause.getMessage());
            return GrpcCalls.problem(Status.UNAVAILABLE, "service_unavailable",
                    "The service is unavailable; retry later.", null, null);
        }
        log.error("gRPC call failed", cause);
        return GrpcCalls.problem(Status.INTERNAL, "internal_error", "An internal error occurred.", null, null);
    }

    /** {@code value} encoded as one URL path segment. */
    static String segment(String value) {
        return UriUtils.encodePathSegment(value == null ? "" : value, StandardCharsets.UTF_8);
    }
}
