package io.phasegate.gateway.grpc;

import static io.phasegate.gateway.grpc.ServiceClient.segment;

import io.grpc.stub.StreamObserver;
import io.phasegate.gateway.grpc.ServiceClient.Request;
import io.phasegate.gateway.grpc.ServiceClient.Target;
import io.phasegate.grpc.v1.DeleteResourceRequest;
import io.phasegate.grpc.v1.GetProvisionStatusResponse;
import io.phasegate.grpc.v1.GetResourceRequest;
import io.phasegate.grpc.v1.GetResourceResponse;
import io.phasegate.grpc.v1.ProvisionResourceRequest;
import io.phasegate.grpc.v1.ProvisioningServiceGrpc;
import io.phasegate.grpc.v1.RegisterDockRequest;
import io.phasegate.grpc.v1.RegisterDockResponse;
import io.phasegate.grpc.v1.ResourceOperationResponse;
import io.phasegate.grpc.v1.RotateDockCredentialsRequest;
import io.phasegate.grpc.v1.RotateDockCredentialsResponse;
import io.phasegate.grpc.v1.UpdateResourceRequest;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpMethod;

/** {@code phasegate.v1.ProvisioningService}: docks and resources (command-service writes, query-service reads). */
final class ProvisioningGrpcService extends ProvisioningServiceGrpc.ProvisioningServiceImplBase {

    private final ServiceClient client;

    ProvisioningGrpcService(ServiceClient client) {
        this.client = client;
    }

    @Override
    public void provisionResource(ProvisionResourceRequest request,
                                  StreamObserver<ResourceOperationResponse> observer) {
        client.unary(new Request(Target.COMMAND, HttpMethod.POST, "/api/v1/resources", request, null, null),
                ResourceOperationResponse::newBuilder, observer);
    }

    @Override
    public void updateResource(UpdateResourceRequest request, StreamObserver<ResourceOperationResponse> observer) {
        // no expected revision: no If-Match, and the service answers 428 (FAILED_PRECONDITION)
        Map<String, String> headers = request.hasExpectedRevision()
                ? Map.of("If-Match", "\"" + request.getExpectedRevision() + "\"") : Map.of();
        client.unary(new Request(Target.COMMAND, HttpMethod.PATCH, "/api/v1/resources/" + segment(request.getResourceId()),
                        request, Set.of("resource_id", "expected_revision"), headers),
                ResourceOperationResponse::newBuilder, observer);
    }

    @Override
    public void deleteResource(DeleteResourceRequest request, StreamObserver<ResourceOperationResponse> observer) {
        // the idempotency key is taken from the request; the DELETE has no body
        client.unary(new Request(Target.COMMAND, HttpMethod.DELETE,
                        "/api/v1/resources/" + segment(request.getResourceId()), null, null,
                        request.getIdempotencyKey().isBlank() ? null
                                : Map.of("Idempotency-Key", request.getIdempotencyKey())),
                ResourceOperationResponse::newBuilder, observer);
    }

    @Override
    public void getResource(GetResourceRequest request, StreamObserver<GetResourceResponse> observer) {
        client.unary(new Request(Target.QUERY, HttpMethod.GET,
                        "/api/v1/resources/" + segment(request.getResourceId()) + minPosition(request), null, null, null),
                GetResourceResponse::newBuilder, observer);
    }

    @Override
    public void getProvisionStatus(GetResourceRequest request, StreamObserver<GetProvisionStatusResponse> observer) {
        client.unary(new Request(Target.QUERY, HttpMethod.GET,
                        "/api/v1/resources/" + segment(request.getResourceId()) + "/status" + minPosition(request),
                        null, null, null),
                GetProvisionStatusResponse::newBuilder, observer);
    }

    @Override
    public void rotateDockCredentials(RotateDockCredentialsRequest request,
                                      StreamObserver<RotateDockCredentialsResponse> observer) {
        client.unary(new Request(Target.COMMAND, HttpMethod.POST,
                        "/api/v1/docks/" + segment(request.getDockId()) + "/credentials/rotate", request,
                        Set.of("dock_id"), null),
                RotateDockCredentialsResponse::newBuilder, observer);
    }

    @Override
    public void registerDock(RegisterDockRequest request, StreamObserver<RegisterDockResponse> observer) {
        client.unary(new Request(Target.COMMAND, HttpMethod.POST, "/api/v1/docks", request, null, null),
                RegisterDockResponse::newBuilder, observer);
    }

    private static String minPosition(GetResourceRequest request) {
        return request.hasMinPosition() ? "?min_position=" + request.getMinPosition() : "";
    }
}
