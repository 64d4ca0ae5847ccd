package io.phasegate.gateway.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.phasegate.gateway.DevIssuer;
import io.phasegate.gateway.grpc.StubServices.Answer;
import io.phasegate.gateway.grpc.StubServices.Received;
import io.phasegate.grpc.v1.AgentServiceGrpc;
import io.phasegate.grpc.v1.CreateTaskRequest;
import io.phasegate.grpc.v1.CreateTaskResponse;
import io.phasegate.grpc.v1.GetTaskRequest;
import io.phasegate.grpc.v1.GetTaskResponse;
import io.phasegate.grpc.v1.HeartbeatResponse;
import io.phasegate.grpc.v1.PhaseTokenRequest;
import io.phasegate.grpc.v1.ProvisioningServiceGrpc;
import io.phasegate.grpc.v1.ResourceOperationResponse;
import io.phasegate.grpc.v1.StreamEvent;
import io.phasegate.grpc.v1.StreamServiceGrpc;
import io.phasegate.grpc.v1.TaskServiceGrpc;
import io.phasegate.grpc.v1.UpdateResourceRequest;
import io.phasegate.grpc.v1.WatchRequest;
import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.identity.JwkFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.grpc.server.lifecycle.GrpcServerStartedEvent;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import reactor.core.publisher.Flux;

/**
 * The gateway's gRPC endpoint end to end within the gateway: a real grpc-java client over a real channel to the real
 * gateway (random ports), with stub HTTP servers standing in for command-service and query-service that verify the
 * forwarded internal identity token with the real verifier.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        classes = {io.phasegate.gateway.GatewayApplication.class, GrpcGatewayIntegrationTest.GrpcPort.class})
class GrpcGatewayIntegrationTest {

    private static final Path DIR = tempDir();
    private static final Path INTERNAL_KEY = DIR.resolve("keys/internal-signing.json");
    private static final StubServices COMMAND = new StubServices(JwkFiles.publicFileOf(INTERNAL_KEY),
            GrpcGatewayIntegrationTest::command);
    private static final StubServices QUERY = new StubServices(JwkFiles.publicFileOf(INTERNAL_KEY),
            GrpcGatewayIntegrationTest::query);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("phasegate.grpc.command-url", COMMAND::url);
        registry.add("phasegate.grpc.query-url", QUERY::url);
        registry.add("PHASEGATE_COMMAND_URL", COMMAND::url);
        registry.add("PHASEGATE_QUERY_URL", QUERY::url);
        registry.add("spring.grpc.server.port", () -> "0");
        registry.add("phasegate.security.internal.key-file", INTERNAL_KEY::toString);
        registry.add("phasegate.security.dev-issuer.key-file", () -> DIR.resolve("keys/dev-issuer.json").toString());
        registry.add("phasegate.security.dev-issuer.tokens-file", () -> DIR.resolve("dev-tokens.env").toString());
        registry.add("phasegate.rate-limits.per-organisation", () -> "20");
        registry.add("phasegate.rate-limits.per-agent", () -> "3");
        registry.add("phasegate.rate-limits.period", () -> "1m");
        registry.add("phasegate.grpc.stream-buffer", () -> "16");
    }

    @TestConfiguration
    static class GrpcPort {
        static final AtomicInteger PORT = new AtomicInteger();

        @Bean
        Object grpcPortListener() {
            return new Object() {
                @EventListener
                void started(GrpcServerStartedEvent event) {
                    PORT.set(event.getPort());
                }
            };
        }
    }

    @Autowired
    DevIssuer devIssuer;

    private ManagedChannel channel;

    @BeforeEach
    void open() {
        assertThat(GrpcPort.PORT.get()).isPositive();
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", GrpcPort.PORT.get()).usePlaintext().build();
        COMMAND.received.clear();
        QUERY.received.clear();
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stopStubs() {
        COMMAND.close();
        QUERY.close();
    }

    // ------------------------------------------------------------------------------------------------------------
    // the stub services

    private static Answer command(Received request) {
        String path = request.path();
        if (request.method().equals("POST") && path.equals("/api/v1/tasks")) {
            if (request.body().contains("\"title\":\"status-")) {
                int status = Integer.parseInt(request.body().replaceAll(".*\"title\":\"status-(\\d+)\".*", "$1"));
                return Answer.problem(status, "code_" + status, "Detail of " + status + ".");
            }
            return Answer.json(201, "{\"task_id\":\"t-1\",\"position\":7}");
        }
        if (request.method().equals("POST") && path.equals("/api/v1/tasks/heartbeat")) {
            return Answer.json(200, "{\"lease_expires_at\":\"2030-01-01T00:00:00Z\",\"position\":3}");
        }
        if (request.method().equals("PATCH") && path.equals("/api/v1/resources/r-1")) {
            return request.headers().containsKey("If-Match")
                    ? Answer.json(202, "{\"resource_id\":\"r-1\",\"operation_id\":\"op-1\",\"state\":\"updating\","
                    + "\"revision\":5,\"position\":11}")
                    : Answer.problem(428, "precondition_required", "If-Match is required.");
        }
        return Answer.problem(404, "not_found", "No such resource.");
    }

    private static Answer query(Received request) {
        String path = request.path();
        if (path.startsWith("/api/v1/tasks/t-1")) {
            return Answer.json(200, "{\"task_id\":\"t-1\",\"org_id\":\"o\",\"title\":\"Build\",\"status\":\"claimed\","
                    + "\"phase\":\"build\",\"workflow_version\":2,\"position\":9,\"lease_expires_at\":null,"
                    + "\"blockers\":[{\"code\":\"x\"}],\"depends_on\":[\"t-0\"]}");
        }
        if (path.equals("/api/v1/streams/tasks")) {
            String last = request.headers().get("Last-Event-ID");
            int after = last == null ? 0 : Integer.parseInt(last);
            List<String> events = new ArrayList<>();
            events.add(": stream open\nretry: 3000\n\n");
            for (int position = after + 1; position <= 3; position++) {
                events.add("id: " + position + "\nevent: TaskUpdated\ndata: {\"position\":" + position + "}\n\n");
            }
            return new Answer(200, "text/event-stream", Flux.fromIterable(events), Map.of());
        }
        if (path.equals("/api/v1/streams/audit")) {
            // one event, then keep-alive comments until the client goes away
            return new Answer(200, "text/event-stream", Flux.concat(
                    Flux.just("id: 41\nevent: AuditRecorded\ndata: {\"n\":1}\n\n"),
                    Flux.interval(Duration.ofMillis(100)).map(tick -> ": keep-alive\n\n")), Map.of());
        }
        return Answer.problem(404, "task_not_found", "No task " + path.substring(path.lastIndexOf('/') + 1) + ".");
    }

    // ------------------------------------------------------------------------------------------------------------

    @Test
    void aCallWithAValidUserTokenReachesTheServiceWithTheCallersInternalIdentity() {
        Metadata headers = bearer(token("org-a", "admin"));
        headers.put(GrpcCalls.IDEMPOTENCY, "ignored-when-the-field-is-set");
        CreateTaskResponse created = tasks(headers).createTask(CreateTaskRequest.newBuilder()
                .setTitle("Build it").addDependsOn("t-0").setPriority(0).setIdempotencyKey("key-1").build());

        assertThat(created.getTaskId()).isEqualTo("t-1");
        assertThat(created.getPosition()).isEqualTo(7);
        assertThat(COMMAND.received).hasSize(1);
        Received received = COMMAND.received.get(0);
        assertThat(received.caller()).contains(new CallerIdentity("alice", "org-a", Set.of("admin")));
        assertThat(received.method()).isEqualTo("POST");
        assertThat(received.headers()).containsEntry("Idempotency-Key", "key-1");
        // snake_case JSON of the HTTP contract; the explicitly set priority 0 is sent, the idempotency key is not
        assertThat(received.body()).isEqualTo("{\"title\":\"Build it\",\"depends_on\":[\"t-0\"],\"priority\":0}");
    }

    @Test
    void idempotencyKeyMetadataIsForwardedAndReadsGoToTheQueryServiceWithTheWholeView() {
        Metadata headers = bearer(token("org-b", "viewer"));
        headers.put(GrpcCalls.IDEMPOTENCY, "key-2");
        tasks(headers).createTask(CreateTaskRequest.newBuilder().setTitle("x").build());
        assertThat(COMMAND.received.get(0).headers()).containsEntry("Idempotency-Key", "key-2");

        GetTaskResponse task = tasks(bearer(token("org-b", "viewer")))
                .getTask(GetTaskRequest.newBuilder().setTaskId("t-1").setMinPosition(9).build());
        assertThat(task.getTaskId()).isEqualTo("t-1");
        assertThat(task.getStatus()).isEqualTo("claimed");
        assertThat(task.getWorkflowVersion()).isEqualTo(2);
        assertThat(task.getDependsOnList()).containsExactly("t-0");
        assertThat(task.getView().getFieldsOrThrow("blockers").getListValue().getValues(0).getStructValue()
                .getFieldsOrThrow("code").getStringValue()).isEqualTo("x");
        assertThat(QUERY.received.get(0).path()).isEqualTo("/api/v1/tasks/t-1?min_position=9");
        assertThat(QUERY.received.get(0).caller().orElseThrow().orgId()).isEqualTo("org-b");
    }

    @Test
    void missingForgedExpiredAndUnsignedTokensAreUnauthenticatedAndReachNothing() throws Exception {
        ECKey otherKey = new ECKeyGenerator(Curve.P_256).keyID("attacker").generate();
        JWTClaimsSet claims = claims("org-c", Instant.now().plusSeconds(300));
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT)
                .keyID("attacker").build(), claims);
        forged.sign(new ECDSASigner(otherKey));
        Map<String, Metadata> cases = new LinkedHashMap<>();
        cases.put("missing", new Metadata());
        cases.put("not bearer", metadata("authorization", "Basic YWxpY2U6cHc="));
        cases.put("forged", bearer(forged.serialize()));
        cases.put("expired", bearer(devIssuer.mint("alice", "org-c", List.of("admin"), Duration.ofMinutes(-10))));
        cases.put("alg none", bearer(new PlainJWT(claims).serialize()));
        cases.put("garbage", bearer("not.a.jwt"));

        cases.forEach((name, headers) -> assertThatThrownBy(() -> tasks(headers)
                .createTask(CreateTaskRequest.newBuilder().setTitle("x").build()))
                .as(name)
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                    assertThat(e.getTrailers().get(GrpcCalls.CODE)).isEqualTo("unauthenticated");
                }));
        assertThatThrownBy(() -> streams(new Metadata()).watchTasks(WatchRequest.getDefaultInstance()).next())
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        // a phase token is no user token
        assertThatThrownBy(() -> tasks(bearer(phaseToken("agent-1"))).createTask(CreateTaskRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        assertThat(COMMAND.received).isEmpty();
        assertThat(QUERY.received).isEmpty();
    }

    @Test
    void oversizedMetadataIsRefusedAndReachesNothing() {
        Metadata headers = bearer(token("org-d", "admin"));
        headers.put(Metadata.Key.of("x-padding", Metadata.ASCII_STRING_MARSHALLER), "x".repeat(40_000));
        assertThatThrownBy(() -> tasks(headers).createTask(CreateTaskRequest.newBuilder().setTitle("x").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isNotEqualTo(Status.Code.OK));
        assertThat(COMMAND.received).isEmpty();
    }

    @Test
    void phaseTokenRpcsAreForwardedWithoutAUserTokenAsThePhaseTokenBearer() {
        String phaseToken = phaseToken("agent-heartbeat");
        HeartbeatResponse answer = AgentServiceGrpc.newBlockingStub(channel)
                .heartbeat(PhaseTokenRequest.newBuilder().setPhaseToken(phaseToken).build());

        assertThat(answer.getLeaseExpiresAt()).isEqualTo("2030-01-01T00:00:00Z");
        assertThat(answer.getPosition()).isEqualTo(3);
        Received received = COMMAND.received.get(0);
        assertThat(received.path()).isEqualTo("/api/v1/tasks/heartbeat");
        assertThat(received.caller()).contains(CallerIdentity.phaseTokenBearer());
        assertThat(received.body()).isEqualTo("{\"phase_token\":\"" + phaseToken + "\"}");
        // ClaimTask is no phase-token RPC
        assertThatThrownBy(() -> AgentServiceGrpc.newBlockingStub(channel)
                .claimTask(io.phasegate.grpc.v1.ClaimTaskRequest.newBuilder().setAgentId("a").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    }

    @Test
    void problemsMapToStatusCodesWithTheirCodeAndDetail() {
        Map<Integer, Status.Code> table = new LinkedHashMap<>();
        table.put(400, Status.Code.INVALID_ARGUMENT);
        table.put(422, Status.Code.INVALID_ARGUMENT);
        table.put(401, Status.Code.UNAUTHENTICATED);
        table.put(403, Status.Code.PERMISSION_DENIED);
        table.put(404, Status.Code.NOT_FOUND);
        table.put(409, Status.Code.ABORTED);
        table.put(412, Status.Code.FAILED_PRECONDITION);
        table.put(428, Status.Code.FAILED_PRECONDITION);
        table.put(429, Status.Code.RESOURCE_EXHAUSTED);
        table.put(500, Status.Code.INTERNAL);
        table.put(503, Status.Code.UNAVAILABLE);
        Metadata headers = bearer(token("org-e", "admin"));
        table.forEach((http, grpc) -> assertThatThrownBy(() -> tasks(headers)
                .createTask(CreateTaskRequest.newBuilder().setTitle("status-" + http).build()))
                .as("HTTP " + http)
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(grpc);
                    assertThat(e.getStatus().getDescription()).isEqualTo("code_" + http + ": Detail of " + http + ".");
                    assertThat(e.getTrailers().get(GrpcCalls.CODE)).isEqualTo("code_" + http);
                    assertThat(new String(e.getTrailers().get(GrpcCalls.PROBLEM), StandardCharsets.UTF_8))
                            .contains("\"status\":" + http);
                }));
        assertThat(ProblemStatus.codeOf(409, "resource_already_exists")).isEqualTo(Status.Code.ALREADY_EXISTS);

        assertThatThrownBy(() -> tasks(headers).getTask(GetTaskRequest.newBuilder().setTaskId("other-org").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getTrailers().get(GrpcCalls.CODE)).isEqualTo("task_not_found");
                });
    }

    @Test
    void updateSendsTheExpectedRevisionAsIfMatch() {
        ProvisioningServiceGrpc.ProvisioningServiceBlockingStub provisioning = ProvisioningServiceGrpc
                .newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(
                        bearer(token("org-f", "admin"))));
        Struct spec = Struct.newBuilder().putFields("size", Value.newBuilder().setNumberValue(3).build()).build();
        ResourceOperationResponse answer = provisioning.updateResource(UpdateResourceRequest.newBuilder()
                .setResourceId("r-1").setExpectedRevision(4).setSpec(spec).build());
        assertThat(answer.getRevision()).isEqualTo(5);
        assertThat(answer.getState()).isEqualTo("updating");
        Received received = COMMAND.received.get(0);
        assertThat(received.method()).isEqualTo("PATCH");
        assertThat(received.headers()).containsEntry("If-Match", "\"4\"");
        assertThat(received.body()).isEqualTo("{\"spec\":{\"size\":3.0}}");

        assertThatThrownBy(() -> provisioning.updateResource(UpdateResourceRequest.newBuilder().setResourceId("r-1")
                .setSpec(spec).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
    }

    @Test
    void aStreamDeliversTheEventsInOrderWithTheirPositionsAndResumes() {
        Metadata headers = bearer(token("org-g", "viewer"));
        List<StreamEvent> all = list(streams(headers).watchTasks(WatchRequest.getDefaultInstance()));
        assertThat(all).extracting(StreamEvent::getPosition).containsExactly("1", "2", "3");
        assertThat(all).extracting(StreamEvent::getEvent).containsOnly("TaskUpdated");
        assertThat(all.get(1).getData()).isEqualTo("{\"position\":2}");

        List<StreamEvent> resumed = list(streams(headers)
                .watchTasks(WatchRequest.newBuilder().setLastEventId("1").build()));
        assertThat(resumed).extracting(StreamEvent::getPosition).containsExactly("2", "3");
        assertThat(QUERY.received.get(1).headers()).containsEntry("Last-Event-ID", "1");
        assertThat(QUERY.received.get(1).caller().orElseThrow().subject()).isEqualTo("alice");
    }

    @Test
    void aClientCancelClosesTheUpstreamStream() throws Exception {
        io.grpc.Context.CancellableContext context = io.grpc.Context.current().withCancellation();
        StreamEvent first = context.call(() -> {
            Iterator<StreamEvent> events = streams(bearer(token("org-h", "auditor")))
                    .watchAudit(WatchRequest.getDefaultInstance());
            return events.next();
        });
        assertThat(first.getPosition()).isEqualTo("41");
        assertThat(QUERY.streamCancelled.getCount()).isEqualTo(1);
        context.cancel(null);
        assertThat(QUERY.streamCancelled.await(10, TimeUnit.SECONDS)).as("upstream SSE closed").isTrue();
    }

    @Test
    void overTheRateLimitIsResourceExhaustedAndNotForwarded() {
        Metadata headers = bearer(token("org-limited", "admin"));
        for (int i = 0; i < 20; i++) {
            tasks(headers).createTask(CreateTaskRequest.newBuilder().setTitle("x").build());
        }
        assertThatThrownBy(() -> tasks(headers).createTask(CreateTaskRequest.newBuilder().setTitle("x").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                    assertThat(e.getTrailers().get(GrpcCalls.CODE)).isEqualTo("rate_limited");
                    assertThat(e.getTrailers().get(GrpcCalls.RETRY_AFTER)).matches("\\d+");
                });
        assertThat(COMMAND.received).hasSize(20);

        // per agent (the phase token's sub), on the phase-token RPCs
        String phaseToken = phaseToken("agent-limited");
        PhaseTokenRequest heartbeat = PhaseTokenRequest.newBuilder().setPhaseToken(phaseToken).build();
        for (int i = 0; i < 3; i++) {
            AgentServiceGrpc.newBlockingStub(channel).heartbeat(heartbeat);
        }
        assertThatThrownBy(() -> AgentServiceGrpc.newBlockingStub(channel).heartbeat(heartbeat))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
        assertThat(COMMAND.received).hasSize(23);
        // another agent is not limited
        AgentServiceGrpc.newBlockingStub(channel)
                .heartbeat(PhaseTokenRequest.newBuilder().setPhaseToken(phaseToken("agent-other")).build());
    }

    @Test
    void garbageBytesAsARequestAreInvalidArgument() {
        MethodDescriptor<byte[], byte[]> raw = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(TaskServiceGrpc.getCreateTaskMethod().getFullMethodName())
                .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
        ClientCall<byte[], byte[]> call = io.grpc.ClientInterceptors.intercept(channel,
                        MetadataUtils.newAttachHeadersInterceptor(bearer(token("org-i", "admin"))))
                .newCall(raw, CallOptions.DEFAULT);
        // field 1 (title) as a length-delimited string of 100 bytes, but only 3 follow
        byte[] garbage = {0x0A, 0x64, 'a', 'b', 'c'};
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(call, garbage))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getTrailers().get(GrpcCalls.CODE)).isEqualTo("invalid_protobuf");
                });
        assertThat(COMMAND.received).isEmpty();
    }

    // ------------------------------------------------------------------------------------------------------------

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private TaskServiceGrpc.TaskServiceBlockingStub tasks(Metadata headers) {
        return TaskServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private StreamServiceGrpc.StreamServiceBlockingStub streams(Metadata headers) {
        return StreamServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static List<StreamEvent> list(Iterator<StreamEvent> events) {
        List<StreamEvent> all = new ArrayList<>();
        events.forEachRemaining(all::add);
        return all;
    }

    private String token(String org, String role) {
        return devIssuer.mint("alice", org, List.of(role), Duration.ofMinutes(5));
    }

    private static JWTClaimsSet claims(String org, Instant expiry) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer("phasegate-dev-issuer").audience("phasegate").subject("alice")
                .claim("org", org).claim("roles", List.of("admin")).issueTime(Date.from(now))
                .notBeforeTime(Date.from(now)).expirationTime(Date.from(expiry)).jwtID(UUID.randomUUID().toString())
                .build();
    }

    /** A phase-token-shaped JWT (the stub does not verify it; the gateway only reads its {@code sub}). */
    private static String phaseToken(String agent) {
        try {
            ECKey key = new ECKeyGenerator(Curve.P_256).keyID("phase").generate();
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256)
                    .type(new JOSEObjectType("phase+jwt")).build(), new JWTClaimsSet.Builder().subject(agent)
                    .issuer("phasegate-command").audience("phasegate-agents").expirationTime(
                            Date.from(Instant.now().plusSeconds(300))).build());
            jwt.sign(new ECDSASigner(key));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Metadata bearer(String token) {
        return metadata("authorization", "Bearer " + token);
    }

    private static Metadata metadata(String key, String value) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER), value);
        return headers;
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("grpc-gateway-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
