using System.Collections.Concurrent;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DirectoryService.Gateway.Security;

/// <summary>
/// Validates each distinct token once: callers such as sign-in services send the same token for
/// its whole lifetime, and a signature check costs more than the directory call behind it. Only
/// successful validations are kept, keyed by the exact token text (any altered byte misses), and
/// never past the token's expiry or five minutes, whichever comes first.
/// </summary>
public sealed class CachingTokenHandler : JsonWebTokenHandler
{
    private const int MaxEntries = 10_000;
    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, (TokenValidationResult Result, DateTime Until)> _validated = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public CachingTokenHandler(TimeProvider time)
    {
        _time = time;
        MapInboundClaims = false;
    }

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        if (_validated.TryGetValue(token, out var hit) && hit.Until > now)
        {
            return hit.Result;
        }

        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken.ValidTo > now)
        {
            if (_validated.Count >= MaxEntries)
            {
                _validated.Clear();
            }

            var until = result.SecurityToken.ValidTo < now + MaxAge ? result.SecurityToken.ValidTo : now + MaxAge;
            _validated[token] = (result, until);
        }

        return result;
    }
}
