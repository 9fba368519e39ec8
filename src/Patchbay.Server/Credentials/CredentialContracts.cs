namespace Patchbay.Credentials;

public sealed record UpsertCredentialResponse(bool Success, string Message, string Action);

public sealed record DeleteCredentialResponse(bool Success, string Message);
