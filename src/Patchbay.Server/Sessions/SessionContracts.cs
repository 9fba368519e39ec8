namespace Patchbay.Sessions;

public sealed record SessionTokenResponse(string Token, string RefreshToken, long ExpiresIn, long RefreshExpiresIn);

public sealed record RevokeSessionResponse(bool Success, int RevokedCount);
