using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Patchbay.Http;

// Door 4 of the error shape: requests Kestrel refuses before any middleware runs (a request line or headers it cannot
// parse, `%00` in a path, headers too large or too many, a URI too long, headers too slow). Kestrel answers those
// itself, with no body, and offers no hook to write one. This connection middleware watches what Kestrel writes to
// the socket: a response that is an error, has `Content-Length: 0` and closes the connection is such a rejection
// (every response of Patchbay's own carries a body), and it is rewritten to carry the error shape. Other responses
// pass through untouched; the check costs a few byte comparisons per write.
public static class KestrelRejections
{
    public static void Use(ListenOptions listen)
    {
        ArgumentNullException.ThrowIfNull(listen);
        listen.Use(next => connection =>
        {
            connection.Transport = new Pipe(connection.Transport);
            return next(connection);
        });
    }

    // The rejection rewritten with a body, or null when the bytes are not a complete bodyless error response.
    public static byte[]? Rewrite(ReadOnlySpan<byte> written)
    {
        if (written.Length < 20 || !written.StartsWith("HTTP/1.1 "u8) || written[9] is not ((byte)'4' or (byte)'5')) return null;
        var end = written.IndexOf("\r\n\r\n"u8);
        if (end < 0 || end + 4 != written.Length) return null; // headers only, nothing after them
        var head = written[..(end + 2)];
        if (head.IndexOf("\r\nContent-Length: 0\r\n"u8) < 0 || head.IndexOf("\r\nConnection: close\r\n"u8) < 0) return null;
        if (!int.TryParse(Encoding.ASCII.GetString(written.Slice(9, 3)), NumberStyles.None, CultureInfo.InvariantCulture, out var status)) return null;

        var error = ApiError.Create(status, status >= 500 ? ErrorCodes.ServerError : ErrorCodes.ValidationError, Message(status));
        var id = Guid.NewGuid().ToString();
        var body = JsonSerializer.SerializeToUtf8Bytes(error.ToBody(id), ApiJson.Options);
        var headers = Encoding.ASCII.GetString(head)
            .Replace("\r\nContent-Length: 0\r\n", $"\r\nContent-Length: {body.Length}\r\nContent-Type: application/json\r\nX-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nX-Trace-ID: {id}\r\n", StringComparison.Ordinal);
        return [.. Encoding.ASCII.GetBytes(headers + "\r\n"), .. body];
    }

    static string Message(int status) => status switch
    {
        400 => "The request line or headers could not be parsed (invalid characters, an encoded NUL or a malformed header)",
        408 => "The request headers were not received in time",
        413 => "Request body is too large",
        414 => "The request URI is too long",
        431 => "The request headers are too large or too many",
        505 => "HTTP version not supported",
        _ => "The request could not be processed",
    };

    sealed class Pipe(IDuplexPipe inner) : IDuplexPipe
    {
        public PipeReader Input => inner.Input;
        public PipeWriter Output { get; } = new Writer(inner.Output);
    }

    // Hands out the inner writer's memory and looks at each chunk when it is advanced.
    sealed class Writer(PipeWriter inner) : PipeWriter
    {
        Memory<byte> last;

        public override Memory<byte> GetMemory(int sizeHint = 0) => last = inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => (last = inner.GetMemory(sizeHint)).Span;

        public override void Advance(int bytes)
        {
            if (bytes >= 20 && bytes <= 4096 && bytes <= last.Length && Rewrite(last.Span[..bytes]) is { } rewritten)
            {
                // Nothing of the chunk has been committed yet: write the rewritten response in its place.
                inner.Write(rewritten);
                last = default;
                return;
            }
            last = default;
            inner.Advance(bytes);
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;
    }
}
