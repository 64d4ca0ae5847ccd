package io.phasegate.gateway.grpc;

import static io.phasegate.gateway.grpc.ServiceClient.segment;

import io.grpc.stub.StreamObserver;
import io.phasegate.gateway.grpc.ServiceClient.Request;
import io.phasegate.gateway.grpc.ServiceClient.Target;
import io.phasegate.grpc.v1.AgentServiceGrpc;
import io.phasegate.grpc.v1.AuthorizeToolCallRequest;
import io.phasegate.grpc.v1.AuthorizeToolCallResponse;
import io.phasegate.grpc.v1.ClaimTaskRequest;
import io.phasegate.grpc.v1.ClaimTaskResponse;
import io.phasegate.grpc.v1.HeartbeatResponse;
import io.phasegate.grpc.v1.PhaseTokenRequest;
import io.phasegate.grpc.v1.RefreshPhaseTokenResponse;
import io.phasegate.grpc.v1.ReleaseTaskResponse;
import io.phasegate.grpc.v1.ReportToolOutcomeRequest;
import io.phasegate.grpc.v1.ReportToolOutcomeResponse;
import io.phasegate.grpc.v1.TransitionTaskRequest;
import io.phasegate.grpc.v1.TransitionTaskResponse;
import java.util.Set;
import org.springframework.http.HttpMethod;

/** {@code phasegate.v1.AgentService}: the agent endpoints of command-service (SPEC §4.1). */
final class AgentGrpcService extends AgentServiceGrpc.AgentServiceImplBase {

    private final ServiceClient client;

    AgentGrpcService(ServiceClient client) {
        this.client = client;
    }

    @Override
    public void claimTask(ClaimTaskRequest request, StreamObserver<ClaimTaskResponse> observer) {
        client.unary(post("/api/v1/tasks/claim", request), ClaimTaskResponse::newBuilder, observer);
    }

    @Override
    public void transitionTask(TransitionTaskRequest request, StreamObserver<TransitionTaskResponse> observer) {
        client.unary(post("/api/v1/tasks/transition", request), TransitionTaskResponse::newBuilder, observer);
    }

    @Override
    public void authorizeToolCall(AuthorizeToolCallRequest request,
                                  StreamObserver<AuthorizeToolCallResponse> observer) {
        client.unary(post("/api/v1/tools/execute", request), AuthorizeToolCallResponse::newBuilder, observer);
    }

    @Override
    public void reportToolOutcome(ReportToolOutcomeRequest request,
                                  StreamObserver<ReportToolOutcomeResponse> observer) {
        client.unary(new Request(Target.COMMAND, HttpMethod.POST,
                        "/api/v1/tools/calls/" + segment(request.getCallId()) + "/outcome", request, Set.of("call_id"),
                        null),
                ReportToolOutcomeResponse::newBuilder, observer);
    }

    @Override
    public void refreshPhaseToken(PhaseTokenRequest request, StreamObserver<RefreshPhaseTokenResponse> observer) {
        client.unary(post("/api/v1/tokens/refresh", request), RefreshPhaseTokenResponse::newBuilder, observer);
    }

    @Override
    public void heartbeat(PhaseTokenRequest request, StreamObserver<HeartbeatResponse> observer) {
        client.unary(post("/api/v1/tasks/heartbeat", request), HeartbeatResponse::newBuilder, observer);
    }

    @Override
    public void releaseTask(PhaseTokenRequest request, StreamObserver<ReleaseTaskResponse> observer) {
        client.unary(post("/api/v1/tasks/release", request), ReleaseTaskResponse::newBuilder, observer);
    }

    private static Request post(String path, com.google.protobuf.Message body) {
        return new Request(Target.COMMAND, HttpMethod.POST, path, body, null, null);
    }
}
