using System.Security.Cryptography;

namespace Patchbay.Data;

// Entity ids have Refold's wire form, 24 hex digits laid out like a MongoDB ObjectId: 4 bytes of seconds since the
// epoch, 5 random bytes fixed per process, 3 bytes of counter. They sort by creation time across nodes and are
// accepted by clients that validate `_id` as an ObjectId.
public static class Ids
{
    static readonly byte[] ProcessRandom = RandomNumberGenerator.GetBytes(5);
    static int counter = RandomNumberGenerator.GetInt32(0, 1 << 24);

    public static string New(DateTimeOffset now)
    {
        Span<byte> bytes = stackalloc byte[12];
        var seconds = (uint)now.ToUnixTimeSeconds();
        bytes[0] = (byte)(seconds >> 24);
        bytes[1] = (byte)(seconds >> 16);
        bytes[2] = (byte)(seconds >> 8);
        bytes[3] = (byte)seconds;
        ProcessRandom.CopyTo(bytes[4..]);
        var c = Interlocked.Increment(ref counter) & 0xFFFFFF;
        bytes[9] = (byte)(c >> 16);
        bytes[10] = (byte)(c >> 8);
        bytes[11] = (byte)c;
        return Convert.ToHexStringLower(bytes);
    }

    public static bool IsValid(string? id) =>
        id is { Length: 24 } && id.All(char.IsAsciiHexDigitLower);
}
