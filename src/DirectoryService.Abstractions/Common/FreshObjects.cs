namespace DirectoryService.Abstractions.Common;

/// <summary>
/// A create under an id minted for it a moment ago (an import's new object) names that grain in its
/// request context. Nothing can be stored under such an id yet, so the storage of the activation
/// that call starts skips the read that would find nothing: one request less per new object. Only
/// the first read of that activation is skipped; a later read (a reload after a failed write) reads.
/// Should a row exist after all, the first write of the activation, made without an etag, is an
/// insert and fails: nothing stored is overwritten.
/// </summary>
public static class FreshObjects
{
    private const string ContextKey = "directory.fresh";

    /// <summary>Runs <paramref name="create"/> — the first call ever made to <paramref name="grain"/> — marked as such.</summary>
    public static async Task<T> CreatingAsync<T>(GrainId grain, Func<Task<T>> create)
    {
        RequestContext.Set(ContextKey, grain.ToString());
        try
        {
            return await create();
        }
        finally
        {
            RequestContext.Remove(ContextKey);
        }
    }

    /// <summary>Whether the call being handled is the first ever made to <paramref name="grain"/>.</summary>
    public static bool IsFresh(GrainId grain) => RequestContext.Get(ContextKey) is string fresh && fresh == grain.ToString();

    /// <summary>Takes the mark off the current call context: a call sent again may reach a grain the first one already stored.</summary>
    public static void Forget() => RequestContext.Remove(ContextKey);
}
