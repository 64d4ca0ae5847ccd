package io.phasegate.gateway.grpc;

import static io.phasegate.gateway.grpc.ServiceClient.segment;

import io.grpc.stub.StreamObserver;
import io.phasegate.gateway.grpc.ServiceClient.Request;
import io.phasegate.gateway.grpc.ServiceClient.Target;
import io.phasegate.grpc.v1.CancelTaskRequest;
import io.phasegate.grpc.v1.CancelTaskResponse;
import io.phasegate.grpc.v1.CreateTaskRequest;
import io.phasegate.grpc.v1.CreateTaskResponse;
import io.phasegate.grpc.v1.GetTaskRequest;
import io.phasegate.grpc.v1.GetTaskResponse;
import io.phasegate.grpc.v1.TaskServiceGrpc;
import java.util.Set;
import org.springframework.http.HttpMethod;

/** {@code phasegate.v1.TaskService}: tasks on command-service (writes) and query-service (reads). */
final class TaskGrpcService extends TaskServiceGrpc.TaskServiceImplBase {

    private final ServiceClient client;

    TaskGrpcService(ServiceClient client) {
        this.client = client;
    }

    @Override
    public void createTask(CreateTaskRequest request, StreamObserver<CreateTaskResponse> observer) {
        client.unary(new Request(Target.COMMAND, HttpMethod.POST, "/api/v1/tasks", request, null, null),
                CreateTaskResponse::newBuilder, observer);
    }

    @Override
    public void getTask(GetTaskRequest request, StreamObserver<GetTaskResponse> observer) {
        String query = request.hasMinPosition() ? "?min_position=" + request.getMinPosition() : "";
        client.unary(new Request(Target.QUERY, HttpMethod.GET,
                        "/api/v1/tasks/" + segment(request.getTaskId()) + query, null, null, null),
                GetTaskResponse::newBuilder, observer);
    }

    @Override
    public void cancelTask(CancelTaskRequest request, StreamObserver<CancelTaskResponse> observer) {
        client.unary(new Request(Target.COMMAND, HttpMethod.POST,
                        "/api/v1/tasks/" + segment(request.getTaskId()) + "/cancel", request, Set.of("task_id"), null),
                CancelTaskResponse::newBuilder, observer);
    }
}
