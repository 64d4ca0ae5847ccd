package io.phasegate.e2e;

import static io.phasegate.e2e.E2eSupport.YAML;
import static io.phasegate.e2e.E2eSupport.shortId;
import static io.phasegate.e2e.E2eSupport.workflowId;
import static io.phasegate.e2e.E2eSupport.workflowYaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.phasegate.grpc.v1.AgentServiceGrpc;
import io.phasegate.grpc.v1.AuthorizeToolCallRequest;
import io.phasegate.grpc.v1.AuthorizeToolCallResponse;
import io.phasegate.grpc.v1.ClaimTaskRequest;
import io.phasegate.grpc.v1.ClaimTaskResponse;
import io.phasegate.grpc.v1.CreateTaskRequest;
import io.phasegate.grpc.v1.CreateTaskResponse;
import io.phasegate.grpc.v1.GetResourceRequest;
import io.phasegate.grpc.v1.GetTaskRequest;
import io.phasegate.grpc.v1.PhaseTokenRequest;
import io.phasegate.grpc.v1.ProvisionResourceRequest;
import io.phasegate.grpc.v1.ProvisioningServiceGrpc;
import io.phasegate.grpc.v1.RegisterDockRequest;
import io.phasegate.grpc.v1.RegisterDockResponse;
import io.phasegate.grpc.v1.ResourceOperationResponse;
import io.phasegate.grpc.v1.StreamEvent;
import io.phasegate.grpc.v1.StreamServiceGrpc;
import io.phasegate.grpc.v1.TaskServiceGrpc;
import io.phasegate.grpc.v1.TransitionTaskRequest;
import io.phasegate.grpc.v1.TransitionTaskResponse;
import io.phasegate.grpc.v1.UpdateResourceRequest;
import io.phasegate.grpc.v1.WatchRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The gRPC API end to end (issue 6): a real grpc-java client on the gateway's gRPC port runs a task through its
 * phases, provisions a resource and watches it on a stream; bad tokens and invalid protobuf are refused without a
 * side effect. The gRPC API is a front of the HTTP API (ADR 0011), so one storage mode suffices here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddedGrpcIT {

    private static final Metadata.Key<String> REPLAYED =
            Metadata.Key.of("idempotent-replayed", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> PHASEGATE_CODE =
            Metadata.Key.of("phasegate-code", Metadata.ASCII_STRING_MARSHALLER);

    private final Http http = new Http();
    private PhasegateSystem system;
    private ManagedChannel channel;

    @BeforeAll
    void start() {
        system = PhasegateSystem.start(PhasegateSystem.Mode.EMBEDDED);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", system.grpcPort()).usePlaintext().build();
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (system != null) {
            system.close();
        }
    }

    @Test
    void anAgentRunsATaskThroughItsPhasesOverGrpc() {
        String workflow = workflowId("grpc");
        Http.Response published = http.put(system.gatewayUrl() + "/api/v1/workflows/" + workflow)
                .bearer(system.developerToken()).body(workflowYaml(workflow, 1), YAML).send();
        assertThat(published.status()).as(published.toString()).isEqualTo(201);

        String developer = system.developerToken();
        CreateTaskResponse created = tasks(developer).createTask(CreateTaskRequest.newBuilder()
                .setTitle("Export invoices over gRPC").setWorkflowId(workflow).build());
        assertThat(created.getTaskId()).isNotBlank();
        assertThat(created.getPosition()).isPositive();

        // a keyed create sent twice: the second answer is the stored one, marked in the response headers
        CreateTaskRequest keyed = CreateTaskRequest.newBuilder().setTitle("Keyed over gRPC").setWorkflowId(workflow)
                .setIdempotencyKey("grpc-create-" + shortId()).build();
        AtomicReference<Metadata> firstHeaders = new AtomicReference<>();
        AtomicReference<Metadata> secondHeaders = new AtomicReference<>();
        CreateTaskResponse first = tasks(developer).withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(
                firstHeaders, new AtomicReference<>())).createTask(keyed);
        CreateTaskResponse second = tasks(developer).withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(
                secondHeaders, new AtomicReference<>())).createTask(keyed);
        assertThat(second.getTaskId()).isEqualTo(first.getTaskId());
        assertThat(firstHeaders.get().get(REPLAYED)).isNull();
        assertThat(secondHeaders.get().get(REPLAYED)).isEqualTo("true");
        assertThat(system.countEvents(first.getTaskId(), "TaskCreatedEvent")).isEqualTo(1);

        ClaimTaskResponse claim = agent(developer).claimTask(ClaimTaskRequest.newBuilder()
                .setAgentId("grpc-agent-" + shortId()).setTaskId(created.getTaskId()).build());
        assertThat(claim.getTask().getPhase()).isEqualTo("PLAN");
        assertThat(claim.getTask().getStatus()).isEqualTo("claimed");
        String token = claim.getPhaseToken();

        // phase-token RPCs need no authorization metadata: the token is the credential
        AgentServiceGrpc.AgentServiceBlockingStub agent = AgentServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS);
        assertThat(agent.heartbeat(PhaseTokenRequest.newBuilder().setPhaseToken(token).build()).getLeaseExpiresAt())
                .isNotBlank();

        token = transition(agent, token, "PLAN", "TDD", Map.of("plan", Map.of("summary", "the plan",
                "acceptance_criteria", List.of("exports a CSV"))));
        AuthorizeToolCallResponse allowed = agent.authorizeToolCall(AuthorizeToolCallRequest.newBuilder()
                .setPhaseToken(token).setToolName("write_file").setArgs(struct(Map.of("path", "tests/test_x.py")))
                .build());
        assertThat(allowed.getCallId()).isNotBlank();
        assertThat(allowed.getResult().getStructValue().getFieldsOrThrow("status").getStringValue())
                .isEqualTo("authorized");
        String tddToken = token;
        assertThatThrownBy(() -> agent.authorizeToolCall(AuthorizeToolCallRequest.newBuilder()
                .setPhaseToken(tddToken).setToolName("write_file").setArgs(struct(Map.of("path", "src/x.py")))
                .build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                    assertThat(e.getTrailers().get(PHASEGATE_CODE)).isEqualTo("constraint_violated");
                });

        token = transition(agent, token, "TDD", "IMPL", Map.of("tests", Map.of("files", List.of("tests/test_x.py")),
                "test_result", Map.of("passed", 0, "failed", 2)));
        token = transition(agent, token, "IMPL", "REVIEW", Map.of(
                "implementation", Map.of("summary", "CSV export", "files", List.of("src/x.py")),
                "test_result", Map.of("passed", 2, "failed", 0)));

        // a refused transition is an answer, not an error: the review is still missing
        TransitionTaskResponse early = agent.transitionTask(transitionRequest(token, "REVIEW", "COMPLETE",
                Map.of("review", Map.of("verdict", "approve", "blocking_issues", List.of()))));
        assertThat(early.getAllowed()).isFalse();
        assertThat(early.getBlockersList()).anySatisfy(blocker -> assertThat(
                blocker.getStructValue().getFieldsOrThrow("code").getStringValue()).isEqualTo("reviews_approved"));

        String reviewer = system.mintUserToken("reviewer-" + shortId(), PhasegateSystem.DEMO_ORG,
                List.of("developer", "reviewer"));
        Http.Response reviewed = http.post(system.gatewayUrl() + "/api/v1/tasks/" + created.getTaskId() + "/reviews")
                .bearer(reviewer).json(Map.of("verdict", "approve")).send();
        assertThat(reviewed.status()).as(reviewed.toString()).isEqualTo(201);
        TransitionTaskResponse done = agent.transitionTask(transitionRequest(token, "REVIEW", "COMPLETE",
                Map.of("review", Map.of("verdict", "approve", "blocking_issues", List.of()))));
        assertThat(done.getAllowed()).as(done.toString()).isTrue();

        var task = tasks(developer).getTask(GetTaskRequest.newBuilder().setTaskId(created.getTaskId())
                .setMinPosition(done.getPosition()).build());
        assertThat(task.toString()).contains("completed").contains("COMPLETE");
        assertThat(system.countEvents(created.getTaskId(), "TaskCompletedEvent")).isEqualTo(1);
    }

    @Test
    void aResourceIsProvisionedOverGrpcAndWatchedOnTheResourceStream() {
        String admin = system.adminToken();
        RegisterDockResponse dock = provisioning(admin).registerDock(RegisterDockRequest.newBuilder()
                .setName("grpc local " + shortId()).setProvider("local")
                .setCredentials(struct(Map.of("api_key", "grpc-" + shortId()))).build());
        assertThat(dock.getCredentialVersion()).isEqualTo(1);

        ResourceOperationResponse provisioned = provisioning(admin).provisionResource(ProvisionResourceRequest
                .newBuilder().setDockId(dock.getDockId()).setType("server").setName("grpc-" + shortId())
                .setSpec(struct(Map.of("cpus", 2))).build());
        assertThat(provisioned.getState()).isEqualTo("provisioning");
        assertThat(provisioned.getRevision()).isEqualTo(1);
        String resourceId = provisioned.getResourceId();

        // the resource stream from the beginning, until the resource is provisioned
        List<StreamEvent> seen = new ArrayList<>();
        Context.CancellableContext watching = Context.current().withCancellation();
        try {
            watching.run(() -> {
                Iterator<StreamEvent> events = StreamServiceGrpc.newBlockingStub(channel)
                        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(admin)))
                        .withDeadlineAfter(60, TimeUnit.SECONDS)
                        .watchResources(WatchRequest.newBuilder().setLastEventId("0").build());
                while (events.hasNext()) {
                    StreamEvent event = events.next();
                    seen.add(event);
                    if (event.getEvent().equals("ResourceProvisionedEvent") && event.getData().contains(resourceId)) {
                        return;
                    }
                }
            });
        } finally {
            watching.cancel(null);
        }
        assertThat(seen).extracting(StreamEvent::getEvent)
                .containsSubsequence("ResourceProvisioningRequestedEvent", "ResourceProvisionedEvent");
        List<Long> positions = seen.stream().map(event -> Long.parseLong(event.getPosition())).toList();
        assertThat(positions).isSorted().doesNotHaveDuplicates();
        assertThat(seen).allSatisfy(event -> assertThat(event.getData()).doesNotContain("api_key"));

        var resource = provisioning(admin).getResource(GetResourceRequest.newBuilder().setResourceId(resourceId)
                .setMinPosition(positions.get(positions.size() - 1)).build());
        assertThat(resource.getState()).isEqualTo("provisioned");

        // an update with a stale revision is refused with the problem's code
        long before = system.countEvents();
        assertThatThrownBy(() -> provisioning(admin).updateResource(UpdateResourceRequest.newBuilder()
                .setResourceId(resourceId).setExpectedRevision(7).setSpec(struct(Map.of("cpus", 4))).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
                    assertThat(e.getTrailers().get(PHASEGATE_CODE)).isEqualTo("stale_revision");
                });
        assertThat(system.countEvents()).isEqualTo(before);
    }

    @Test
    void badTokensAndInvalidProtobufAreRefusedAndWriteNothing() {
        long before = system.countEvents();
        CreateTaskRequest request = CreateTaskRequest.newBuilder().setTitle("never").setWorkflowId("none").build();
        for (Metadata headers : List.of(new Metadata(), bearer("not.a.jwt"),
                bearer(E2eSupport.withAlteredSignature(system.adminToken())))) {
            assertThatThrownBy(() -> TaskServiceGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                    .withDeadlineAfter(10, TimeUnit.SECONDS).createTask(request))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        }
        // a phase token is no user token
        String phaseToken = system.mintPhaseToken("agent-x", "task-x", "PLAN", 1, java.time.Instant.now(),
                java.time.Instant.now().plusSeconds(300));
        assertThatThrownBy(() -> tasks(phaseToken).createTask(request))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));

        // bytes that are no CreateTaskRequest
        MethodDescriptor<byte[], byte[]> raw = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(TaskServiceGrpc.getCreateTaskMethod().getFullMethodName())
                .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
        ClientCall<byte[], byte[]> call = ClientInterceptors.intercept(channel,
                MetadataUtils.newAttachHeadersInterceptor(bearer(system.adminToken())))
                .newCall(raw, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS));
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(call, new byte[] {0x0A, 0x64, 'a', 'b', 'c'}))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getTrailers().get(PHASEGATE_CODE)).isEqualTo("invalid_protobuf");
                });

        // a well-formed request that the service refuses: INVALID_ARGUMENT/NOT_FOUND with the problem code
        assertThatThrownBy(() -> tasks(system.developerToken()).createTask(CreateTaskRequest.newBuilder()
                .setTitle("x").setWorkflowId("no-such-workflow-" + shortId()).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getTrailers().get(PHASEGATE_CODE)).isEqualTo("unknown_workflow");
                    assertThat(e.getStatus().getDescription()).doesNotContain("Exception").doesNotContain("at io.");
                });
        assertThat(system.countEvents()).isEqualTo(before);
    }

    // ------------------------------------------------------------------------------------------------

    private String transition(AgentServiceGrpc.AgentServiceBlockingStub agent, String token, String from, String to,
                              Map<String, Object> artifacts) {
        TransitionTaskResponse response = agent.transitionTask(transitionRequest(token, from, to, artifacts));
        assertThat(response.getAllowed()).as(from + " -> " + to + ": " + response).isTrue();
        assertThat(response.getPhase()).isEqualTo(to);
        return response.getNewToken();
    }

    private static TransitionTaskRequest transitionRequest(String token, String from, String to,
                                                           Map<String, Object> artifacts) {
        return TransitionTaskRequest.newBuilder().setPhaseToken(token).setCurrentPhase(from).setTargetPhase(to)
                .setArtifacts(struct(artifacts)).build();
    }

    private TaskServiceGrpc.TaskServiceBlockingStub tasks(String token) {
        return TaskServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(token)))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private AgentServiceGrpc.AgentServiceBlockingStub agent(String token) {
        return AgentServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(token)))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private ProvisioningServiceGrpc.ProvisioningServiceBlockingStub provisioning(String token) {
        return ProvisioningServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(token)))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private static Metadata bearer(String token) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + token);
        return headers;
    }

    private static Struct struct(Map<String, Object> value) {
        Struct.Builder builder = Struct.newBuilder();
        try {
            JsonFormat.parser().merge(Http.JSON.writeValueAsString(value), builder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return builder.build();
    }

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
}
