using System.Text.Json.Serialization;

namespace Patchbay.Http;

// `{"message": "…"}`, the answer of several of Refold's actions.
public sealed record MessageResponse([property: JsonPropertyName("message")] string Message);
