package io.phasegate.query.provisioning;

import org.axonframework.eventhandling.ReplayToken;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;

/** Whether the event being handled is replayed (a reset processor before the position it had when reset). */
final class Replays {

    private Replays() {
    }

    static boolean replaying() {
        return CurrentUnitOfWork.isStarted() && ReplayToken.isReplay(CurrentUnitOfWork.get().getMessage());
    }
}
