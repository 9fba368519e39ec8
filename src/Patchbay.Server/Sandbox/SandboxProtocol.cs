using System.Buffers.Binary;
using System.Text;

namespace Patchbay.Sandbox;

// The frames between the server and a sandbox process, over the process's standard input and output.
//   request:  int32 script length, script (UTF-8), int32 input length, input JSON (UTF-8)
//   ready:    one byte (Ready), once, when the process can take requests
//   response: byte kind, int32 length, text (UTF-8): the result's JSON (Ok), nothing (Undefined) or a message (Error)
// Lengths are little-endian. One request at a time per process.
public static class SandboxProtocol
{
    public const byte Ok = 0;
    public const byte Undefined = 1;
    public const byte Error = 2;

    // Written once by a sandbox process when it has started and warmed up; the server counts a script's time from
    // its request, never from the process's start.
    public const byte Ready = (byte)'R';

    // A frame above this is a protocol error, not a request (the server bounds scripts and inputs well below it).
    const int MaxFrame = 256 * 1024 * 1024;

    public static async Task WriteRequestAsync(Stream stream, string script, string input, CancellationToken ct)
    {
        await WriteStringAsync(stream, script, ct);
        await WriteStringAsync(stream, input, ct);
        await stream.FlushAsync(ct);
    }

    public static async Task<(string Script, string Input)?> ReadRequestAsync(Stream stream)
    {
        if (await ReadStringAsync(stream, CancellationToken.None) is not { } script) return null;
        if (await ReadStringAsync(stream, CancellationToken.None) is not { } input) return null;
        return (script, input);
    }

    public static async Task WriteResponseAsync(Stream stream, byte kind, string? text)
    {
        await stream.WriteAsync(new[] { kind });
        await WriteStringAsync(stream, text ?? "", CancellationToken.None);
        await stream.FlushAsync();
    }

    // Null at end of stream (the process exited or closed its output).
    public static async Task<(byte Kind, string Text)?> ReadResponseAsync(Stream stream, CancellationToken ct)
    {
        var kind = new byte[1];
        if (await stream.ReadAtLeastAsync(kind, 1, throwOnEndOfStream: false, ct) == 0) return null;
        return await ReadStringAsync(stream, ct) is { } text ? (kind[0], text) : null;
    }

    static async Task WriteStringAsync(Stream stream, string text, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var length = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        await stream.WriteAsync(length, ct);
        await stream.WriteAsync(bytes, ct);
    }

    static async Task<string?> ReadStringAsync(Stream stream, CancellationToken ct)
    {
        var header = new byte[4];
        if (await stream.ReadAtLeastAsync(header, 4, throwOnEndOfStream: false, ct) < 4) return null;
        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length is < 0 or > MaxFrame) throw new InvalidDataException("sandbox frame of invalid length");
        var bytes = new byte[length];
        if (await stream.ReadAtLeastAsync(bytes, length, throwOnEndOfStream: false, ct) < length) return null;
        return Encoding.UTF8.GetString(bytes);
    }
}
