using Orleans.Storage;

namespace DirectoryService.Grains.Common;

/// <summary>
/// Runs a call again when a grain it reached found storage holding another version than it knew
/// (its own earlier write of unknown outcome had landed, say): that grain has reloaded and changed
/// nothing, so the call is made once more against what storage holds, as a caller's retry would.
/// </summary>
public static class StaleStateRetry
{
    /// <summary>How many times a call is made when its grains keep reloading newer state.</summary>
    public const int Attempts = 3;

    public static async Task<T> RunAsync<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (InconsistentStateException) when (attempt < Attempts)
            {
            }
        }
    }
}
