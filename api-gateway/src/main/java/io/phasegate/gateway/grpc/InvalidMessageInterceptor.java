package io.phasegate.gateway.grpc;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.ServiceDescriptor;
import java.io.InputStream;
import java.util.List;

/**
 * A request that is not a valid protobuf message answers {@code INVALID_ARGUMENT} {@code invalid_protobuf} (a 4xx,
 * as SPEC §7 asks) and reaches nothing: grpc-java itself would close such a call as a server error
 * ({@code INTERNAL}/{@code UNKNOWN}). The request marshallers of the services are wrapped to yield {@code null} for
 * bytes they cannot parse, and this interceptor, the outermost, closes the call when it sees one.
 */
final class InvalidMessageInterceptor implements ServerInterceptor {

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
            private boolean closed;

            @Override
            public void onMessage(Q message) {
                if (closed) {
                    return;
                }
                if (message == null) {
                    closed = true;
                    StatusException problem = GrpcCalls.problem(Status.INVALID_ARGUMENT, "invalid_protobuf",
                            "The request is not a valid " + call.getMethodDescriptor().getFullMethodName()
                                    + " request message.", null, null);
                    call.close(problem.getStatus(), problem.getTrailers());
                    return;
                }
                super.onMessage(message);
            }

            @Override
            public void onHalfClose() {
                if (!closed) {
                    super.onHalfClose();
                }
            }
        };
    }

    /** {@code service} with request marshallers that answer {@code null} for unparsable bytes. */
    static ServerServiceDefinition lenientParsing(ServerServiceDefinition service) {
        ServiceDescriptor original = service.getServiceDescriptor();
        List<ServerMethodDefinition<?, ?>> methods = service.getMethods().stream()
                .<ServerMethodDefinition<?, ?>>map(InvalidMessageInterceptor::lenient).toList();
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
                .setSchemaDescriptor(original.getSchemaDescriptor());
        methods.forEach(method -> descriptor.addMethod(method.getMethodDescriptor()));
        ServerServiceDefinition.Builder builder = ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(builder::addMethod);
        return builder.build();
    }

    private static <Q, R> ServerMethodDefinition<Q, R> lenient(ServerMethodDefinition<Q, R> method) {
        MethodDescriptor<Q, R> descriptor = method.getMethodDescriptor();
        MethodDescriptor.Marshaller<Q> requests = descriptor.getRequestMarshaller();
        MethodDescriptor.Marshaller<Q> lenient = new MethodDescriptor.Marshaller<>() {
            @Override
            public InputStream stream(Q value) {
                return requests.stream(value);
            }

            @Override
            public Q parse(InputStream stream) {
                try {
                    return requests.parse(stream);
                } catch (StatusRuntimeException e) {
                    return null;
                }
            }
        };
        return ServerMethodDefinition.create(descriptor.toBuilder().setRequestMarshaller(lenient).build(),
                method.getServerCallHandler());
    }
}
