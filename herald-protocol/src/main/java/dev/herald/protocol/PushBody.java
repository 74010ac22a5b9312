package dev.herald.protocol;

/** The payload of a {@link Push}; the record type decides the push field ({@code pub}, {@code join}, ...). */
public sealed interface PushBody permits Publication, Result.Connect, PushBody.Join, PushBody.Leave,
        PushBody.Unsubscribe, PushBody.Message, PushBody.Subscribe, PushBody.Disconnect, PushBody.Refresh {

    record Join(ClientInfo info) implements PushBody {
    }

    record Leave(ClientInfo info) implements PushBody {
    }

    record Unsubscribe(int code, String reason) implements PushBody {
    }

    record Message(byte[] data) implements PushBody {
    }

    record Subscribe(boolean recoverable, String epoch, long offset, boolean positioned, byte[] data)
            implements PushBody {
    }

    record Disconnect(int code, String reason, boolean reconnect) implements PushBody {
    }

    record Refresh(boolean expires, int ttl) implements PushBody {
    }
}
