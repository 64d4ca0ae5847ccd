package io.phasegate.gateway.grpc;

import io.grpc.stub.StreamObserver;
import io.phasegate.grpc.v1.HistoryRequest;
import io.phasegate.grpc.v1.StreamEvent;
import io.phasegate.grpc.v1.StreamServiceGrpc;
import io.phasegate.grpc.v1.WatchRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.springframework.web.util.UriUtils;

/** {@code phasegate.v1.StreamService}: query-service's server-sent event streams as gRPC server streams. */
final class StreamGrpcService extends StreamServiceGrpc.StreamServiceImplBase {

    private final ServiceClient client;

    StreamGrpcService(ServiceClient client) {
        this.client = client;
    }

    @Override
    public void watchTasks(WatchRequest request, StreamObserver<StreamEvent> observer) {
        client.stream("/api/v1/streams/tasks", request.getLastEventId(), observer);
    }

    @Override
    public void watchResources(WatchRequest request, StreamObserver<StreamEvent> observer) {
        client.stream("/api/v1/streams/resources", request.getLastEventId(), observer);
    }

    @Override
    public void watchAudit(WatchRequest request, StreamObserver<StreamEvent> observer) {
        client.stream("/api/v1/streams/audit", request.getLastEventId(), observer);
    }

    @Override
    public void streamHistory(HistoryRequest request, StreamObserver<StreamEvent> observer) {
        List<String> query = new ArrayList<>();
        // server-sent events are chosen by the Accept header (text/event-stream) the client sends
        if (!request.getAggregateId().isBlank()) {
            query.add("aggregate_id=" + encode(request.getAggregateId()));
        }
        request.getTypeList().forEach(type -> query.add("type=" + encode(type)));
        if (request.hasFromPosition()) {
            query.add("from_position=" + request.getFromPosition());
        }
        if (request.hasToPosition()) {
            query.add("to_position=" + request.getToPosition());
        }
        if (!request.getFromTime().isBlank()) {
            query.add("from_time=" + encode(request.getFromTime()));
        }
        if (!request.getToTime().isBlank()) {
            query.add("to_time=" + encode(request.getToTime()));
        }
        if (request.hasLimit()) {
            query.add("limit=" + request.getLimit());
        }
        client.stream("/api/v1/history/events" + (query.isEmpty() ? "" : "?" + String.join("&", query)), request.getLastEventId(), observer);
    }

    private static String encode(String value) {
        return UriUtils.encodeQueryParam(value, StandardCharsets.UTF_8);
    }
}
