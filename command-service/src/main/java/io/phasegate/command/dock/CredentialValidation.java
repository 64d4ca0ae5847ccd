package io.phasegate.command.dock;

import io.phasegate.command.adapter.AdapterException;
import io.phasegate.command.adapter.DockAdapter;
import io.phasegate.command.adapter.DockAdapters;
import io.phasegate.command.adapter.DockConnection;
import io.phasegate.platform.redaction.Redactor;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/**
 * Validates credentials through a dock's adapter, bounded by {@code phasegate.credentials.validation-timeout}. The
 * outcome's reason is safe to record and show: it is cut to a bounded length and any credential value an adapter
 * might have echoed is replaced by {@value Redactor#REDACTED}.
 */
@Component
public class CredentialValidation {

    private final DockAdapters adapters;
    private final Duration timeout;
    private final ExecutorService calls;

    @org.springframework.beans.factory.annotation.Autowired
    public CredentialValidation(DockAdapters adapters, DockCredentialSettings settings) {
        this(adapters, settings.validationTimeout());
    }

    CredentialValidation(DockAdapters adapters, Duration timeout) {
        this.adapters = adapters;
        this.timeout = timeout;
        AtomicInteger threads = new AtomicInteger();
        this.calls = Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "credential-validation-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    @PreDestroy
    void close() {
        calls.shutdownNow();
    }

    /** The outcome of a validation. */
    public record Outcome(boolean valid, String code, String reason, boolean retryable) {

        static Outcome ok() {
            return new Outcome(true, null, null, false);
        }
    }

    /** Checks the non-secret settings of a provider; a rejection's message is returned as a failed outcome. */
    public Outcome checkSettings(String provider, java.util.Map<String, String> settings) {
        DockAdapter adapter = adapters.require(provider);
        return call(() -> adapter.checkSettings(settings), java.util.List.of(), "settings check");
    }

    /** Validates the connection's credentials through its provider's adapter. */
    public Outcome validate(DockConnection connection) {
        DockAdapter adapter;
        try {
            adapter = adapters.require(connection.provider());
        } catch (AdapterException e) {
            return new Outcome(false, e.code(), e.getMessage(), false);
        }
        return call(() -> adapter.validateCredentials(connection), connection.credentials().values(),
                "credential validation");
    }

    private Outcome call(Runnable work, Collection<String> secrets, String what) {
        Future<?> running = calls.submit(work);
        try {
            running.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return Outcome.ok();
        } catch (TimeoutException e) {
            running.cancel(true);
            return new Outcome(false, "timeout", "The " + what + " did not finish within " + timeout.toSeconds()
                    + " s.", true);
        } catch (InterruptedException e) {
            running.cancel(true);
            Thread.currentThread().interrupt();
            return new Outcome(false, "interrupted", "The " + what + " was interrupted.", true);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof AdapterException adapter) {
                return new Outcome(false, adapter.code(), scrub(adapter.getMessage(), secrets), adapter.retryable());
            }
            // an unexpected failure's message might be anything: only its type is kept
            return new Outcome(false, "adapter_error", "The " + what + " failed ("
                    + cause.getClass().getSimpleName() + ").", true);
        }
    }

    /** Cuts a message and replaces every credential value in it. */
    static String scrub(String message, Collection<String> secrets) {
        if (message == null || message.isBlank()) {
            return "rejected by the provider";
        }
        String text = message;
        for (String secret : secrets) {
            if (secret != null && secret.length() >= 3) {
                text = text.replace(secret, Redactor.REDACTED);
            }
        }
        return Redactor.cut(text, Dock.MAX_REASON - 50);
    }
}
