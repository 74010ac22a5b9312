package dev.herald.bench.run;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A minimal blocking HTTP/1.1 client over one keep-alive socket, for timing sequential server API calls: the
 * request goes out in one write from the calling thread and the response is read on that thread, so a call costs
 * two syscalls and no thread hand-offs (java.net.http's client passes each exchange through its selector thread
 * and an executor, which adds its own scheduling delays to the tail on a busy core). Handles only what Herald
 * answers: a status line, headers, and a {@code Content-Length} body. Not thread-safe.
 */
final class PlainHttpClient implements AutoCloseable {
    /** One answer: the status and the body bytes. */
    record Response(int status, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final String host;
    private final int port;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int lim;

    PlainHttpClient(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /** POSTs {@code body} to {@code path} with the API key; a connection the server closed is reopened once. */
    Response post(String path, String apiKey, byte[] body) throws IOException {
        byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nX-API-Key: " + apiKey
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        byte[] request = new byte[head.length + body.length];
        System.arraycopy(head, 0, request, 0, head.length);
        System.arraycopy(body, 0, request, head.length, body.length);
        boolean reused = socket != null;
        try {
            return exchange(request);
        } catch (IOException e) {
            close();
            if (!reused) {
                throw e;
            }
            return exchange(request); // the kept-alive connection was closed by the server: once more, fresh
        }
    }

    private Response exchange(byte[] request) throws IOException {
        if (socket == null) {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(30_000);
            socket.connect(new InetSocketAddress(host, port), 5_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
            pos = 0;
            lim = 0;
        }
        out.write(request);
        out.flush();
        String status = line();
        if (!status.startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP response: " + status);
        }
        int code = Integer.parseInt(status.substring(9, 12));
        int length = -1;
        boolean close = false;
        String header;
        while (!(header = line()).isEmpty()) {
            int colon = header.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = header.substring(0, colon).trim();
            String value = header.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("content-length")) {
                length = Integer.parseInt(value);
            } else if (name.equalsIgnoreCase("connection") && value.equalsIgnoreCase("close")) {
                close = true;
            } else if (name.equalsIgnoreCase("transfer-encoding")) {
                throw new IOException("transfer-encoding " + value + " is not supported");
            }
        }
        if (length < 0) {
            throw new IOException("response without content-length");
        }
        byte[] body = new byte[length];
        int have = Math.min(length, lim - pos);
        System.arraycopy(buf, pos, body, 0, have);
        pos += have;
        while (have < length) {
            int n = in.read(body, have, length - have);
            if (n < 0) {
                throw new IOException("connection closed in the body");
            }
            have += n;
        }
        if (close) {
            close();
        }
        return new Response(code, body);
    }

    /** One header line without its CRLF. */
    private String line() throws IOException {
        ByteArrayOutputStream line = null;
        while (true) {
            for (int i = pos; i < lim; i++) {
                if (buf[i] == '\n') {
                    int end = i > pos && buf[i - 1] == '\r' ? i - 1 : i;
                    String s;
                    if (line == null) {
                        s = new String(buf, pos, end - pos, StandardCharsets.ISO_8859_1);
                    } else {
                        line.write(buf, pos, i - pos);
                        byte[] all = line.toByteArray();
                        int n = all.length > 0 && all[all.length - 1] == '\r' ? all.length - 1 : all.length;
                        s = new String(all, 0, n, StandardCharsets.ISO_8859_1);
                    }
                    pos = i + 1;
                    return s;
                }
            }
            if (line == null) {
                line = new ByteArrayOutputStream();
            }
            line.write(buf, pos, lim - pos);
            pos = 0;
            lim = in.read(buf, 0, buf.length);
            if (lim < 0) {
                lim = 0;
                throw new IOException("connection closed in the headers");
            }
        }
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        socket = null;
        in = null;
        out = null;
        pos = 0;
        lim = 0;
    }
}
