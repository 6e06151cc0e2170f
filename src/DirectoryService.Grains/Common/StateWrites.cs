namespace DirectoryService.Grains.Common;

/// <summary>Writes that never leave an activation holding state that storage does not.</summary>
public static class StateWrites
{
    /// <summary>
    /// Writes the state; if the write fails, reloads what storage holds (the write may or may not have
    /// landed) so later calls on this activation do not serve an unacknowledged change, then rethrows.
    /// If even the reload fails, the activation is dropped and the next call loads afresh; meanwhile
    /// <paramref name="stateUnknown"/> lets the grain stop answering from a state storage may not hold.
    /// </summary>
    public static async Task WriteOrReloadAsync<T>(this IPersistentState<T> state, Grain grain, Action? stateUnknown = null)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            try
            {
                await state.ReadStateAsync();
            }
            catch
            {
                stateUnknown?.Invoke();
                grain.DeactivateOnIdle();
            }

            throw;
        }
    }
}
